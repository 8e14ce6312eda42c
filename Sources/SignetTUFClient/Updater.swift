import SignetCore

/// Limits and switches of the client workflow; the defaults are python-tuf's.
public struct UpdaterConfig: Sendable {
    public var maxRootRotations = 256
    public var maxDelegations = 32
    public var rootMaxLength = 512_000
    public var timestampMaxLength = 16_384
    public var snapshotMaxLength = 2_000_000
    public var targetsMaxLength = 5_000_000
    /// Fetch targets as `dir/HASH.name` when the root enables consistent snapshots.
    public var prefixTargetsWithHash = true

    public init() {}
}

/// The TUF client workflow of specification section 5 over a `Fetcher` and a `MetadataStore`.
///
/// Each role is persisted the moment it verifies, so a failure later in the cycle keeps what was
/// already proven; nothing unverified is ever written. "Now" is fixed when the updater is made.
public struct Updater: Sendable {
    public let metadataBaseURL: String
    public let store: MetadataStore
    public let config: UpdaterConfig
    let fetcher: any Fetcher
    public private(set) var trusted: TrustedMetadataSet
    private var refreshed = false
    private let writer = BackgroundWriter()
    /// Files were renamed into the metadata folder since its last fsync.
    private var unsynced = false

    /// Loads and verifies the local root before anything touches the network.
    public init(metadataBaseURL: String, metadataDirectory: String, fetcher: any Fetcher, now: TUFTime,
                config: UpdaterConfig = UpdaterConfig()) throws(TUFError)
    {
        self.metadataBaseURL = metadataBaseURL.hasSuffix("/") ? metadataBaseURL : metadataBaseURL + "/"
        store = MetadataStore(directory: metadataDirectory)
        self.fetcher = fetcher
        self.config = config
        guard let rootBytes = try store.load(Root.type, maxBytes: config.rootMaxLength) else {
            throw TUFError(.storage, "no trusted root.json in \(metadataDirectory): run init first")
        }
        trusted = try TrustedMetadataSet(trustedRoot: rootBytes, referenceTime: now)
    }

    /// Updates root, timestamp, snapshot and top-level targets (5.3 to 5.6). Runs once per updater.
    public mutating func refresh() async throws(TUFError) {
        let outcome: Result<Void, TUFError>
        do {
            try await loadRoot()
            try await loadTimestamp()
            try await loadSnapshot()
            _ = try await loadTargets(Targets.type, delegator: Root.type)
            refreshed = true
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try await completeWrites(outcome)
    }

    /// Updates only the root (5.3), for a client that needs the keys the newest root names (an
    /// approver witnessing the log) and none of the other roles.
    public mutating func updateRoot() async throws(TUFError) {
        let outcome: Result<Void, TUFError>
        do {
            try await loadRoot()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try await completeWrites(outcome)
    }

    /// Writes a verified role. Root versions are written in order, at once; other roles are
    /// written in the background (each exactly once per operation) and awaited before the
    /// operation returns, whether it succeeded or not: what verified is kept either way.
    private mutating func persist(_ role: String, _ bytes: [UInt8]) throws(TUFError) {
        unsynced = true
        if role == Root.type {
            try store.persist(role, bytes, syncDirectory: false)
        } else {
            let store = self.store
            writer.write { () throws(TUFError) in try store.persist(role, bytes, syncDirectory: false) }
        }
    }

    /// Waits for background writes, makes the renames durable, then returns the operation's outcome.
    private mutating func completeWrites<T>(_ outcome: Result<T, TUFError>) async throws(TUFError) -> T {
        guard unsynced else { return try outcome.get() }  // most lookups load nothing new
        var writeError: TUFError?
        do { try await writer.finish() } catch { writeError = error }
        store.sync()
        unsynced = false
        let value = try outcome.get()
        if let writeError { throw writeError }
        return value
    }

    // MARK: Top-level roles

    private mutating func loadRoot() async throws(TUFError) {
        let lowest = trusted.root.signed.version + 1
        for version in lowest..<(lowest + Int64(config.maxRootRotations)) {
            let bytes: [UInt8]
            do {
                bytes = try await download(Root.type, version: version, maxBytes: config.rootMaxLength)
            } catch let error where error.kind == .httpStatus(404) || error.kind == .httpStatus(403) {
                return
            }
            try trusted.updateRoot(bytes)
            try persist(Root.type, bytes)
        }
    }

    private mutating func loadTimestamp() async throws(TUFError) {
        // The local timestamp, even if expired, is the reference that stops a rollback.
        if let local = try? store.load(Timestamp.type, maxBytes: config.timestampMaxLength) {
            _ = try? trusted.updateTimestamp(local)
        }
        let bytes = try await download(Timestamp.type, version: nil, maxBytes: config.timestampMaxLength)
        do {
            try trusted.updateTimestamp(bytes)
        } catch let error where error.kind == .equalVersion {
            return
        }
        try persist(Timestamp.type, bytes)
    }

    private mutating func loadSnapshot() async throws(TUFError) {
        if let local = try? store.load(Snapshot.type, maxBytes: config.snapshotMaxLength),
           (try? trusted.updateSnapshot(local, trusted: true)) != nil
        {
            return  // the local snapshot is still the one timestamp names
        }
        guard let meta = trusted.timestamp?.signed.snapshotMeta else {
            throw TUFError(.workflow, "timestamp is not loaded")
        }
        let version = trusted.root.signed.usesConsistentSnapshots ? meta.version : nil
        let bytes = try await download(Snapshot.type, version: version,
                                       maxBytes: meta.length.map(Int.init) ?? config.snapshotMaxLength)
        try trusted.updateSnapshot(bytes)
        try persist(Snapshot.type, bytes)
    }

    /// Loads a targets role that is not loaded yet, as delegated by `delegator`: from disk if it is
    /// still the version that snapshot names, else from the repository. (A role that is already
    /// loaded is checked against each further delegator by `TrustedMetadataSet.findTarget`.)
    private mutating func loadTargets(_ role: String, delegator: String) async throws(TUFError) -> Metadata<Targets> {
        if let local = try? store.load(role, maxBytes: config.targetsMaxLength),
           let metadata = try? trusted.updateDelegatedTargets(local, role: role, delegator: delegator)
        {
            return metadata
        }
        guard let info = trusted.snapshot?.signed.meta["\(role).json"] else {
            throw TUFError(.missingMetadata, "\(role) is delegated but snapshot does not list \(role).json")
        }
        let version = trusted.root.signed.usesConsistentSnapshots ? info.version : nil
        let bytes = try await download(role, version: version, maxBytes: info.length.map(Int.init) ?? config.targetsMaxLength)
        let metadata = try trusted.updateDelegatedTargets(bytes, role: role, delegator: delegator)
        try persist(role, bytes)
        return metadata
    }

    private func download(_ role: String, version: Int64?, maxBytes: Int) async throws(TUFError) -> [UInt8] {
        let name = PercentEncoding.encode(role)
        let file = version.map { "\($0).\(name).json" } ?? "\(name).json"
        return try await fetcher.fetch(metadataBaseURL + file, maxBytes: maxBytes)
    }

    // MARK: Targets

    /// Finds a target's trusted length and hashes by the delegation search of 5.6.7
    /// (`TrustedMetadataSet.findTarget`), loading roles as the search needs them.
    ///
    /// Delegated roles loaded here are written to disk in the background; call `flush()` before the
    /// process ends (whether the lookups succeeded or not) to wait for them.
    public mutating func targetInfo(for targetPath: String) async throws(TUFError) -> TargetFile? {
        if !refreshed { try await refresh() }
        return try await searchDelegations(for: targetPath)
    }

    /// Waits until every verified file is on disk and durable; reports a write that failed.
    public mutating func flush() async throws(TUFError) {
        try await completeWrites(Result<Void, TUFError>.success(()))
    }

    private mutating func searchDelegations(for targetPath: String) async throws(TUFError) -> TargetFile? {
        // The search runs in the core over what is loaded; each time it needs a role that is not,
        // that role is loaded (from disk or the repository) and the search runs again.
        while true {
            switch try trusted.findTarget(targetPath, maxDelegations: config.maxDelegations) {
            case .found(let target): return target
            case .notFound: return nil
            case .needsRole(let role, let delegator): _ = try await loadTargets(role, delegator: delegator)
            }
        }
    }

    /// Where a target is cached: `<dir>/<percent-encoded path>`, one flat folder that no path escapes.
    public static func cachePath(for targetPath: String, in directory: String) -> String {
        "\(directory)/\(PercentEncoding.encode(targetPath))"
    }

    /// The cached file for a target if its length and hashes still match, else nil.
    public func cachedTarget(_ targetPath: String, info: TargetFile, directory: String) -> String? {
        let path = Self.cachePath(for: targetPath, in: directory)
        guard let bytes = try? AtomicFile.read(path, maxBytes: Int(clamping: info.length)),
              (try? info.verify(bytes, what: targetPath)) != nil
        else { return nil }
        return path
    }

    /// Downloads a target, verifies its length and every hash, and stores it atomically.
    public func downloadTarget(_ targetPath: String, info: TargetFile, baseURL: String, directory: String)
        async throws(TUFError) -> String
    {
        let bytes = try await fetchTarget(targetPath, info: info, baseURL: baseURL)
        let path = Self.cachePath(for: targetPath, in: directory)
        try AtomicFile.write(bytes, to: path)
        return path
    }

    /// Downloads a target and verifies its length and every hash; the bytes, for a caller that
    /// stores them its own way.
    public func fetchTarget(_ targetPath: String, info: TargetFile, baseURL: String) async throws(TUFError) -> [UInt8] {
        var remotePath = targetPath
        if trusted.root.signed.usesConsistentSnapshots, config.prefixTargetsWithHash, let hash = info.hashes.values.first {
            if let slash = targetPath.lastIndex(of: "/") {
                remotePath = "\(targetPath[...slash])\(hash).\(targetPath[targetPath.index(after: slash)...])"
            } else {
                remotePath = "\(hash).\(targetPath)"
            }
        }
        let encoded = remotePath.split(separator: "/", omittingEmptySubsequences: false)
            .map { PercentEncoding.encode(String($0)) }.joined(separator: "/")
        let base = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        let bytes = try await fetcher.fetch(base + encoded, maxBytes: Int(clamping: info.length))
        try info.verify(bytes, what: targetPath)
        return bytes
    }
}
