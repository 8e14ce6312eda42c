import SignetCore

/// A small TUF repository in memory, published with `RepositoryMetadata`, whose files tests feed
/// to the client or tamper with. Keys are generated per fixture.
public struct TestRepository: Sendable {
    public static let start = TUFTime(iso8601: "2026-11-27T09:00:00Z")!

    public var keys: [String: SigningKey] = [:]
    public var metadata: RepositoryMetadata
    /// Every file ever published, by path under `metadata/`; unversioned names hold the newest.
    public var files: [String: [UInt8]] = [:]
    public var targetFiles: [String: [UInt8]] = [:]
    public var now: TUFTime

    public init(consistentSnapshot: Bool = true, now: TUFTime = TestRepository.start) throws {
        self.now = now
        var root = Root(expires: now.adding(seconds: ExpiryPolicy().root), consistentSnapshot: consistentSnapshot)
        for role in Root.topLevelRoles {
            let key = try SigningKey.generate()
            keys[role] = key
            root.addKey(key.publicKey, to: role)
        }
        metadata = RepositoryMetadata.create(root: root, now: now)
        try metadata.signStaged(Root.type, with: keys[Root.type]!)
        try metadata.signStaged(Targets.type, with: keys[Targets.type]!)
        try publish()
    }

    public mutating func publish() throws {
        for file in try metadata.publish(snapshotKey: keys[Snapshot.type]!, timestampKey: keys[Timestamp.type]!, now: now) {
            files[file.path] = file.bytes
        }
    }

    /// Stages a new targets version with `contents` added, signs it, and publishes.
    public mutating func addTarget(_ path: String, _ contents: [UInt8], role: String = Targets.type, custom: JSONValue? = nil) throws {
        var body = try metadata.nextTargets(role, now: now)
        body.targets[path] = TargetFile(contents: contents, custom: custom)
        try metadata.stageTargets(role, body)
        try metadata.signStaged(role, with: keys[role]!)
        targetFiles[path] = contents
        try publish()
    }

    /// Delegates `paths` from `parent` to a new role with its own key, and publishes.
    public mutating func delegate(_ role: String, paths: [String], from parent: String = Targets.type,
                                  terminating: Bool = false) throws
    {
        let key = try SigningKey.generate()
        keys[role] = key
        var body = try metadata.nextTargets(parent, now: now)
        var delegations = body.delegations ?? Delegations(roles: [])
        delegations.keys[key.keyID] = key.publicKey
        delegations.roles = (delegations.roles ?? []) + [
            DelegatedRole(name: role, keyIDs: [key.keyID], threshold: 1, terminating: terminating, paths: paths),
        ]
        body.delegations = delegations
        try metadata.stageTargets(parent, body)
        try metadata.signStaged(parent, with: keys[parent]!)
        try metadata.stageTargets(role, RepositoryMetadata.newTargetsRole(now: now))
        try metadata.signStaged(role, with: key)
        try publish()
    }

    /// Replaces a top-level role's key (root signs with old and new keys), and publishes.
    public mutating func rotateKey(of role: String) throws {
        let newKey = try SigningKey.generate()
        var root = metadata.nextRoot(now: now)
        let oldRootKey = keys[Root.type]!
        root.removeKey(keys[role]!.keyID, from: role)
        root.addKey(newKey.publicKey, to: role)
        try metadata.stageRoot(root)
        try metadata.signStaged(Root.type, with: oldRootKey)
        keys[role] = newKey
        if role == Root.type { try metadata.signStaged(Root.type, with: newKey) }
        try publish()
    }

    public func file(_ path: String) -> [UInt8] { files[path]! }
}
