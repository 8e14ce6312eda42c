/// The client's verified metadata and the checks that admit new metadata (spec section 5),
/// without I/O: the updater feeds it bytes, persists what it accepts, and fetches what it asks for.
///
/// Every check compares expiry against one `referenceTime`, fixed when the update starts (5.1).
/// A method that throws leaves the set exactly as it was, except where noted for timestamp and
/// snapshot, whose newest verified version stays as the rollback reference even when expired.
public struct TrustedMetadataSet: Sendable {
    public let referenceTime: TUFTime
    public private(set) var root: Metadata<Root>
    public private(set) var timestamp: Metadata<Timestamp>?
    public private(set) var snapshot: Metadata<Snapshot>?
    public var targets: Metadata<Targets>? { topLevelTargets?.metadata }
    private var topLevelTargets: TrustedTargets?
    /// Delegated roles by name, and the delegators each one has been verified against.
    private var delegated: [UTF8Key: TrustedTargets] = [:]
    private var verifiedBy: [UTF8Key: [String]] = [:]

    /// Loads the locally trusted root; it must be signed by a threshold of its own root keys.
    public init(trustedRoot bytes: some Collection<UInt8>, referenceTime: TUFTime) throws(TUFError) {
        self.referenceTime = referenceTime
        let root = try Metadata<Root>(bytes: bytes)
        try root.verify(delegatedBy: root.signed, as: Root.type)
        self.root = root
    }

    // MARK: Root (5.3)

    /// Admits root version N+1: signed by a threshold of the current root's keys and of its own.
    @discardableResult
    public mutating func updateRoot(_ bytes: some Collection<UInt8>) throws(TUFError) -> Metadata<Root> {
        guard timestamp == nil else { throw TUFError(.workflow, "root cannot change after timestamp is loaded") }
        let newRoot = try Metadata<Root>(bytes: bytes)
        try newRoot.verify(delegatedBy: root.signed, as: Root.type)
        try newRoot.verify(delegatedBy: newRoot.signed, as: Root.type)
        guard newRoot.signed.version == root.signed.version + 1 else {
            throw TUFError(.badVersion, "root: expected version \(root.signed.version + 1), got \(newRoot.signed.version)")
        }
        root = newRoot
        return newRoot
    }

    // MARK: Timestamp (5.4)

    /// Admits a timestamp. An equal version throws `.equalVersion` (the caller keeps the old one).
    /// A new version that verifies but has expired stays trusted as the rollback reference and throws.
    @discardableResult
    public mutating func updateTimestamp(_ bytes: some Collection<UInt8>) throws(TUFError) -> Metadata<Timestamp> {
        guard snapshot == nil else { throw TUFError(.workflow, "timestamp cannot change after snapshot is loaded") }
        guard !root.signed.header.isExpired(at: referenceTime) else {
            throw TUFError(.expired, "root version \(root.signed.version) expired at \(root.signed.expires)")
        }
        let new = try Metadata<Timestamp>(bytes: bytes)
        try new.verify(delegatedBy: root.signed, as: Timestamp.type)
        if let old = timestamp {
            if new.signed.version < old.signed.version {
                throw TUFError(.badVersion, "timestamp: version \(new.signed.version) is older than trusted \(old.signed.version)")
            }
            if new.signed.version == old.signed.version {
                throw TUFError(.equalVersion, "timestamp: version \(new.signed.version) is already trusted")
            }
            if new.signed.snapshotMeta.version < old.signed.snapshotMeta.version {
                throw TUFError(.badVersion, "timestamp: snapshot version \(new.signed.snapshotMeta.version) is older than trusted \(old.signed.snapshotMeta.version)")
            }
        }
        timestamp = new
        try checkFinalTimestamp()
        return new
    }

    private func checkFinalTimestamp() throws(TUFError) {
        guard let timestamp else { throw TUFError(.workflow, "timestamp is not loaded") }
        if timestamp.signed.header.isExpired(at: referenceTime) {
            throw TUFError(.expired, "timestamp version \(timestamp.signed.version) expired at \(timestamp.signed.expires)")
        }
    }

    // MARK: Snapshot (5.5)

    /// Admits a snapshot. `trusted` skips the length and hash check against timestamp: it is for the
    /// local copy, which was checked when it arrived. A new version that verifies but fails the
    /// final checks (expiry, version named by timestamp) stays as the rollback reference and throws.
    @discardableResult
    public mutating func updateSnapshot(_ bytes: some Collection<UInt8>, trusted: Bool = false) throws(TUFError)
        -> Metadata<Snapshot>
    {
        guard let timestamp else { throw TUFError(.workflow, "snapshot cannot load before timestamp") }
        guard targets == nil else { throw TUFError(.workflow, "snapshot cannot change after targets is loaded") }
        try checkFinalTimestamp()
        if !trusted { try timestamp.signed.snapshotMeta.verify(bytes, what: "snapshot.json") }
        let new = try Metadata<Snapshot>(bytes: bytes)
        try new.verify(delegatedBy: root.signed, as: Snapshot.type)
        if let old = snapshot {
            for (name, oldInfo) in old.signed.meta {
                guard let newInfo = new.signed.meta[name] else {
                    throw TUFError(.badVersion, "snapshot: \(name) was listed before and is missing now")
                }
                if newInfo.version < oldInfo.version {
                    throw TUFError(.badVersion, "snapshot: \(name) version \(newInfo.version) is older than trusted \(oldInfo.version)")
                }
            }
        }
        snapshot = new
        try checkFinalSnapshot()
        return new
    }

    private func checkFinalSnapshot() throws(TUFError) {
        guard let snapshot, let timestamp else { throw TUFError(.workflow, "snapshot is not loaded") }
        if snapshot.signed.header.isExpired(at: referenceTime) {
            throw TUFError(.expired, "snapshot version \(snapshot.signed.version) expired at \(snapshot.signed.expires)")
        }
        if snapshot.signed.version != timestamp.signed.snapshotMeta.version {
            throw TUFError(.badVersion, "snapshot: version \(snapshot.signed.version), timestamp names \(timestamp.signed.snapshotMeta.version)")
        }
    }

    // MARK: Targets (5.6)

    /// Admits the top-level targets metadata.
    @discardableResult
    public mutating func updateTargets(_ bytes: some Collection<UInt8>) throws(TUFError) -> Metadata<Targets> {
        try updateDelegatedTargets(bytes, role: Targets.type, delegator: Root.type)
    }

    /// The verified metadata of a targets role, if loaded.
    public func targetsRole(_ name: String) -> Metadata<Targets>? { trustedTargets(name)?.metadata }

    /// A loaded targets role, by reference: lookups read it without copying the metadata.
    func trustedTargets(_ name: String) -> TrustedTargets? {
        name == Targets.type ? topLevelTargets : delegated[UTF8Key(name)]
    }

    /// Whether `role` is loaded and has been verified against the keys `delegator` gives it.
    public func isTrusted(_ role: String, delegatedBy delegator: String) -> Bool {
        if role == Targets.type { return targets != nil }
        return verifiedBy[UTF8Key(role)]?.contains { $0.hasSameUTF8(as: delegator) } == true
    }

    /// Checks an already loaded role against another delegator's keys. A role reached through two
    /// delegators must satisfy each of them: authority is not inherited from an earlier search path.
    public mutating func verifyLoaded(_ role: String, delegatedBy delegatorName: String) throws(TUFError) {
        guard let entry = delegated[UTF8Key(role)] else { throw TUFError(.workflow, "\(role) is not loaded") }
        guard let delegator = targetsRole(delegatorName) else {
            throw TUFError(.workflow, "delegator \(delegatorName) of \(role) is not loaded")
        }
        try entry.metadata.verify(delegatedBy: delegator.signed, as: role)
        verifiedBy[UTF8Key(role)]?.append(delegatorName)
    }

    /// Admits targets metadata for `role`, delegated by `delegator` (root for top-level targets).
    @discardableResult
    public mutating func updateDelegatedTargets(_ bytes: some Collection<UInt8>, role: String, delegator delegatorName: String)
        throws(TUFError) -> Metadata<Targets>
    {
        guard let snapshot else { throw TUFError(.workflow, "\(role) cannot load before snapshot") }
        try checkFinalSnapshot()
        let delegator: any Delegator
        if delegatorName == Root.type {
            delegator = root.signed
        } else if let parent = targetsRole(delegatorName) {
            delegator = parent.signed
        } else {
            throw TUFError(.workflow, "delegator \(delegatorName) of \(role) is not loaded")
        }
        guard let info = snapshot.signed.meta["\(role).json"] else {
            throw TUFError(.missingMetadata, "snapshot does not list \(role).json")
        }
        try info.verify(bytes, what: "\(role).json")
        let new = try Metadata<Targets>(bytes: bytes, roleName: role)
        try new.verify(delegatedBy: delegator, as: role)
        guard new.signed.version == info.version else {
            throw TUFError(.badVersion, "\(role): version \(new.signed.version), snapshot names \(info.version)")
        }
        if new.signed.header.isExpired(at: referenceTime) {
            throw TUFError(.expired, "\(role) version \(new.signed.version) expired at \(new.signed.expires)")
        }
        if role == Targets.type {
            topLevelTargets = TrustedTargets(new)
        } else {
            delegated[UTF8Key(role)] = TrustedTargets(new)
            verifiedBy[UTF8Key(role)] = [delegatorName]
        }
        return new
    }
}

/// Verified targets metadata, immutable and shared by reference.
final class TrustedTargets: Sendable {
    let metadata: Metadata<Targets>

    init(_ metadata: Metadata<Targets>) { self.metadata = metadata }
}
