import SignetCore
import SignetRender
import SignetTUFClient

/// Where a player's releases come from: the repository's metadata and targets (the server or any
/// mirror: everything read is verified), and the player's trusted metadata folder.
public struct ReleaseSource: Sendable {
    public let metadataBaseURL: String
    public let targetsBaseURL: String
    public let metadataDirectory: String
    public let fetcher: any Fetcher

    public init(metadataBaseURL: String, targetsBaseURL: String, metadataDirectory: String, fetcher: any Fetcher) {
        self.metadataBaseURL = metadataBaseURL
        self.targetsBaseURL = targetsBaseURL
        self.metadataDirectory = metadataDirectory
        self.fetcher = fetcher
    }
}

/// One update of a player: refresh the trusted metadata, find the programme that governs this
/// screen (the network's, or that of a group the network delegates), fetch into the cache only
/// what it lacks, each file verified against the metadata, and switch to it when it is complete.
/// Any failure leaves the programme in use as it was.
public enum ReleaseSync {
    /// Points inside an update where a fault test may stop the player (see `PlayerConfiguration.faultPause`).
    public enum Stage: String, Sendable, CaseIterable {
        /// The programme document is stored, its missing assets not yet.
        case download
        /// Everything is verified and stored; the pointer is about to be replaced.
        case `switch`
    }

    public typealias Checkpoint = @Sendable (Stage) async -> Void

    /// Reads a programme document from the cache (`load` returns its verified bytes) and parses it.
    public typealias ProgrammeReader = @Sendable (_ sha256: String, _ load: () throws -> [UInt8]) throws -> Programme

    public static let readProgramme: ProgrammeReader = { _, load in try Programme(bytes: try load()) }

    /// `quotaBytes` bounds the cache: before downloading, objects neither in use nor part of the
    /// new release are removed, and a release whose files would not fit beside the programme in
    /// use is refused (the programme in use stays).
    public static func update(from source: ReleaseSource, now: TUFTime, cache: ContentCache, screen: String, quotaBytes: Int64? = nil,
                              readProgramme: ProgrammeReader = readProgramme,
                              checkpoint: Checkpoint = { _ in }) async throws -> ContentCache.Current {
        // A TUF update is one refresh from one fixed time: each update has an updater of its own.
        var updater = try Updater(metadataBaseURL: source.metadataBaseURL, metadataDirectory: source.metadataDirectory,
                                  fetcher: source.fetcher, now: now)
        do {
            let current = try await update(&updater, cache: cache, screen: screen, targetsBaseURL: source.targetsBaseURL, quotaBytes: quotaBytes,
                                           readProgramme: readProgramme, checkpoint: checkpoint)
            try await updater.flush()
            return current
        } catch {
            try? await updater.flush()
            throw error
        }
    }

    static func update(_ updater: inout Updater, cache: ContentCache, screen: String, targetsBaseURL: String, quotaBytes: Int64?,
                       readProgramme: ProgrammeReader, checkpoint: Checkpoint) async throws -> ContentCache.Current {
        try await updater.refresh()
        let groups = updater.trusted.targets?.signed.delegations?.roles?.compactMap { ReleaseScope.group(ofRole: $0.name) } ?? []
        for group in [nil] + groups.map(Optional.some) {
            let path = ReleaseScope.programmePath(group: group)
            guard let info = try await updater.targetInfo(for: path) else { continue }
            let document = try await fetch(path, info: info, updater: updater, cache: cache, baseURL: targetsBaseURL)
            let programme: Programme
            do {
                programme = try readProgramme(document) {
                    guard let bytes = cache.object(document) else { throw PlayerError("not in the cache") }
                    return bytes
                }
            } catch { throw PlayerError("\(path): \(error)") }
            guard programme.screens[screen] != nil else { continue }
            // Already in use, and whole (a damaged file is fetched again below).
            let release = info.custom?.objectValue?["programme_version"]?.integerValue ?? 0
            let fingerprints = try approvedFingerprints(info, programme: programme, screen: screen, path: path)
            // The same document in a new release (approvers signing it again) is a new release in use.
            if let current = cache.currentPointer(), current.programme == document, current.release == release, current.fingerprints == fingerprints,
               cache.missing(for: programme).isEmpty { return current }
            await checkpoint(.download)
            var missing: [(path: String, info: TargetFile)] = []
            for asset in cache.missing(for: programme) {
                let assetPath = ReleaseScope.assetPath(asset, group: group)
                guard let assetInfo = try await updater.targetInfo(for: assetPath), assetInfo.hashes["sha256"] == asset else {
                    throw PlayerError("\(path) names asset \(asset.prefix(16)), which the release does not list as \(assetPath)")
                }
                missing.append((assetPath, assetInfo))
            }
            if let quotaBytes {
                let release = Set([document] + programme.assets.keys)
                try cache.evict(keeping: release)
                let needed = cache.size() + missing.reduce(0) { $0 + $1.info.length }
                guard needed <= quotaBytes else {
                    throw PlayerError("the release needs \(needed / 1_048_576) MiB of cache beside the programme in use; the quota is \(quotaBytes / 1_048_576) MiB")
                }
            }
            for (assetPath, assetInfo) in missing {
                _ = try await fetch(assetPath, info: assetInfo, updater: updater, cache: cache, baseURL: targetsBaseURL)
            }
            await checkpoint(.switch)
            return try cache.install(programme: document, parsed: programme, release: release, fingerprints: fingerprints)
        }
        throw PlayerError("no published programme names screen \(screen)")
    }

    /// The approved fingerprints of this screen's slides from the release's custom metadata, which
    /// the approvers signed; a release without them is taken (its frames cannot be checked), one
    /// with malformed ones is refused.
    static func approvedFingerprints(_ info: TargetFile, programme: Programme, screen: String, path: String) throws -> [String: Fingerprint] {
        guard let frames = info.custom?.objectValue?["frames"], let size = programme.screens[screen] else { return [:] }
        do { return try ApprovedFrames(json: frames).slides(width: size.width, height: size.height) } catch {
            throw PlayerError("\(path): the release's frame fingerprints are malformed: \(error)")
        }
    }

    /// A target's bytes from the cache if already there, else downloaded, verified and stored.
    static func fetch(_ path: String, info: TargetFile, updater: Updater, cache: ContentCache, baseURL: String) async throws -> String {
        guard let sha256 = info.hashes["sha256"] else { throw PlayerError("\(path) has no sha256 in the release") }
        if cache.contains(sha256) { return sha256 }
        let bytes = try await updater.fetchTarget(path, info: info, baseURL: baseURL)
        return try cache.store(bytes)
    }
}
