/// How long each role's metadata stays valid after it is signed.
public struct ExpiryPolicy: Sendable {
    public var root: Int64 = 365 * 86_400
    public var targets: Int64 = 90 * 86_400
    public var snapshot: Int64 = 7 * 86_400
    public var timestamp: Int64 = 86_400

    public init() {}

    public func seconds(for role: String) -> Int64 {
        switch role {
        case Root.type: root
        case Snapshot.type: snapshot
        case Timestamp.type: timestamp
        default: targets
        }
    }
}

/// A file of a published repository: a path under `metadata/` and its bytes.
public struct RepositoryFile: Sendable, Equatable {
    public let path: String
    public let bytes: [UInt8]
}

/// A TUF repository's metadata without I/O: what is published, and what is staged for publication.
///
/// Edits are staged as the next version of a role; signers add signatures to staged roles; `publish`
/// admits the staged roles that meet their thresholds and signs a new snapshot and timestamp.
public struct RepositoryMetadata: Sendable {
    /// Published metadata; nil until the first `publish`.
    public private(set) var root: Metadata<Root>?
    /// The top-level targets role and every delegated targets role, by name.
    public private(set) var targetsRoles: KeyedTable<Metadata<Targets>>
    public private(set) var snapshot: Metadata<Snapshot>?
    public private(set) var timestamp: Metadata<Timestamp>?
    public private(set) var stagedRoot: Metadata<Root>?
    public private(set) var stagedTargets = KeyedTable<Metadata<Targets>>()

    public init(root: Metadata<Root>?, targetsRoles: KeyedTable<Metadata<Targets>> = KeyedTable(),
                snapshot: Metadata<Snapshot>? = nil, timestamp: Metadata<Timestamp>? = nil,
                stagedRoot: Metadata<Root>? = nil, stagedTargets: KeyedTable<Metadata<Targets>> = KeyedTable())
    {
        self.root = root
        self.targetsRoles = targetsRoles
        self.snapshot = snapshot
        self.timestamp = timestamp
        self.stagedRoot = stagedRoot
        self.stagedTargets = stagedTargets
    }

    /// A new repository: root version 1 and empty top-level targets, both staged.
    public static func create(root body: Root, now: TUFTime, expiry: ExpiryPolicy = ExpiryPolicy()) -> RepositoryMetadata {
        var rootBody = body
        rootBody.version = 1
        return RepositoryMetadata(root: nil, stagedRoot: Metadata(signed: rootBody),
                                  stagedTargets: [Targets.type: Metadata(signed: newTargetsRole(now: now, expiry: expiry))])
    }

    public var isPublished: Bool { root != nil }

    // MARK: Editing

    /// The root as it will be next: the staged one, or a copy of the current one at version + 1.
    public func nextRoot(now: TUFTime, expiry: ExpiryPolicy = ExpiryPolicy()) -> Root {
        if let stagedRoot { return stagedRoot.signed }
        guard var next = root?.signed else { return Root(expires: now.adding(seconds: expiry.root)) }
        next.version += 1
        next.expires = now.adding(seconds: expiry.root)
        return next
    }

    /// Stages a new root. Its version must be the published version + 1 (or 1 for a new repository).
    public mutating func stageRoot(_ body: Root) throws(TUFError) {
        let expected = (root?.signed.version ?? 0) + 1
        guard body.version == expected else {
            throw TUFError(.badVersion, "root: staged version must be \(expected), not \(body.version)")
        }
        stagedRoot = Metadata(signed: body)
    }

    /// The targets role as it will be next: staged, or the published one at version + 1 with a fresh expiry.
    public func nextTargets(_ role: String, now: TUFTime, expiry: ExpiryPolicy = ExpiryPolicy()) throws(TUFError) -> Targets {
        if let staged = stagedTargets[role] { return staged.signed }
        guard var next = targetsRoles[role]?.signed else {
            throw TUFError(.missingMetadata, "no targets role named \(role)")
        }
        next.version += 1
        next.expires = now.adding(seconds: expiry.targets)
        return next
    }

    /// A targets role that is being created by a delegation (version 1, no targets yet).
    public static func newTargetsRole(now: TUFTime, expiry: ExpiryPolicy = ExpiryPolicy()) -> Targets {
        Targets(expires: now.adding(seconds: expiry.targets))
    }

    /// Stages `body` as the next version of `role`; signatures on an earlier staged version are dropped.
    public mutating func stageTargets(_ role: String, _ body: Targets) throws(TUFError) {
        let expected = (targetsRoles[role]?.signed.version ?? 0) + 1
        guard body.version == expected else {
            throw TUFError(.badVersion, "\(role): staged version must be \(expected), not \(body.version)")
        }
        stagedTargets[role] = Metadata(signed: body)
    }

    /// Stages targets metadata that its signers signed elsewhere (approvers sign with keys the
    /// repository never holds), signatures and all, as the next version of `role`.
    public mutating func stageTargets(_ role: String, signed metadata: Metadata<Targets>) throws(TUFError) {
        try stageTargets(role, metadata.signed)
        stagedTargets[role] = metadata
    }

    /// Signs a staged role (root or targets) with `key`.
    public mutating func signStaged(_ role: String, with key: SigningKey) throws {
        if role == Root.type {
            guard var staged = stagedRoot else { throw TUFError(.missingMetadata, "no staged root to sign") }
            try staged.sign(with: key)
            stagedRoot = staged
        } else {
            guard var staged = stagedTargets[role] else { throw TUFError(.missingMetadata, "no staged \(role) to sign") }
            try staged.sign(with: key)
            stagedTargets[role] = staged
        }
    }

    /// Staged roles that do not yet meet their thresholds, with the reason for each.
    public func pendingSignatures() -> [(role: String, reason: String)] {
        var pending: [(String, String)] = []
        if let stagedRoot {
            do { try verifyStagedRoot(stagedRoot) } catch { pending.append((Root.type, error.description)) }
        }
        for (role, staged) in stagedTargets {
            do { try verifyStagedTargets(role, staged) } catch { pending.append((role, error.description)) }
        }
        return pending
    }

    private func verifyStagedRoot(_ staged: Metadata<Root>) throws(TUFError) {
        if let root { try staged.verify(delegatedBy: root.signed, as: Root.type) }
        try staged.verify(delegatedBy: staged.signed, as: Root.type)
    }

    /// The root that will delegate the top-level roles after publication.
    private var effectiveRoot: Root? { stagedRoot?.signed ?? root?.signed }

    private func delegator(of role: String) throws(TUFError) -> any Delegator {
        if role == Targets.type {
            guard let effectiveRoot else { throw TUFError(.missingMetadata, "no root") }
            return effectiveRoot
        }
        for metadata in stagedTargets.values where metadata.signed.delegation(for: role) != nil {
            return metadata.signed
        }
        for (name, metadata) in targetsRoles where stagedTargets[name] == nil && metadata.signed.delegation(for: role) != nil {
            return metadata.signed
        }
        throw TUFError(.missingMetadata, "no targets role delegates \(role)")
    }

    private func verifyStagedTargets(_ role: String, _ staged: Metadata<Targets>) throws(TUFError) {
        try staged.verify(delegatedBy: try delegator(of: role), as: role)
    }

    // MARK: Publishing

    /// Admits every staged role (all must meet their thresholds), then signs a new snapshot listing
    /// every targets role and a new timestamp. Returns the files to write, in a safe order: roles
    /// first, snapshot next, timestamp last, so a reader never sees a timestamp ahead of its files.
    public mutating func publish(snapshotKey: SigningKey, timestampKey: SigningKey, now: TUFTime,
                                 expiry: ExpiryPolicy = ExpiryPolicy()) throws -> [RepositoryFile]
    {
        if let pending = pendingSignatures().first {
            throw TUFError(.threshold, "cannot publish: \(pending.reason)")
        }
        guard let newRoot = stagedRoot ?? root else { throw TUFError(.missingMetadata, "no root to publish") }
        var files: [RepositoryFile] = []
        let consistent = newRoot.signed.usesConsistentSnapshots
        if let stagedRoot {
            let bytes = stagedRoot.encoded()
            files.append(RepositoryFile(path: "\(stagedRoot.signed.version).root.json", bytes: bytes))
            files.append(RepositoryFile(path: "root.json", bytes: bytes))
            root = stagedRoot
            self.stagedRoot = nil
        }
        for (role, staged) in stagedTargets {
            targetsRoles[role] = staged
        }
        var meta = KeyedTable<MetaFile>()
        for (role, metadata) in targetsRoles {
            let bytes = metadata.encoded()
            let name = PercentEncoding.encode(role)
            if stagedTargets[role] != nil {
                if consistent { files.append(RepositoryFile(path: "\(metadata.signed.version).\(name).json", bytes: bytes)) }
                files.append(RepositoryFile(path: "\(name).json", bytes: bytes))
            }
            meta["\(role).json"] = MetaFile(version: metadata.signed.version, length: Int64(bytes.count),
                                            hashes: HashAlgorithm.hashes(of: bytes))
        }
        stagedTargets = KeyedTable()

        var snapshotBody = Snapshot(expires: now.adding(seconds: expiry.snapshot), meta: meta)
        snapshotBody.version = (snapshot?.signed.version ?? 0) + 1
        var newSnapshot = Metadata(signed: snapshotBody)
        try newSnapshot.sign(with: snapshotKey)
        try newSnapshot.verify(delegatedBy: newRoot.signed, as: Snapshot.type)
        let snapshotBytes = newSnapshot.encoded()
        if consistent { files.append(RepositoryFile(path: "\(snapshotBody.version).snapshot.json", bytes: snapshotBytes)) }
        files.append(RepositoryFile(path: "snapshot.json", bytes: snapshotBytes))
        snapshot = newSnapshot

        let snapshotMeta = MetaFile(version: snapshotBody.version, length: Int64(snapshotBytes.count),
                                    hashes: HashAlgorithm.hashes(of: snapshotBytes))
        var timestampBody = Timestamp(expires: now.adding(seconds: expiry.timestamp), snapshotMeta: snapshotMeta)
        timestampBody.version = (timestamp?.signed.version ?? 0) + 1
        var newTimestamp = Metadata(signed: timestampBody)
        try newTimestamp.sign(with: timestampKey)
        try newTimestamp.verify(delegatedBy: newRoot.signed, as: Timestamp.type)
        files.append(RepositoryFile(path: "timestamp.json", bytes: newTimestamp.encoded()))
        timestamp = newTimestamp
        return files
    }

    /// A new timestamp over the current snapshot, for re-signing on a schedule before it expires.
    public mutating func refreshTimestamp(timestampKey: SigningKey, now: TUFTime,
                                          expiry: ExpiryPolicy = ExpiryPolicy()) throws -> RepositoryFile
    {
        guard let root, var body = timestamp?.signed else { throw TUFError(.missingMetadata, "nothing is published yet") }
        body.version += 1
        body.expires = now.adding(seconds: expiry.timestamp)
        var newTimestamp = Metadata(signed: body)
        try newTimestamp.sign(with: timestampKey)
        try newTimestamp.verify(delegatedBy: root.signed, as: Timestamp.type)
        timestamp = newTimestamp
        return RepositoryFile(path: "timestamp.json", bytes: newTimestamp.encoded())
    }
}
