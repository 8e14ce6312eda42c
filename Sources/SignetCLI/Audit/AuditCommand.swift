import ArgumentParser
import AsyncHTTPClient
import Foundation
import SignetCore
import SignetTUFClient

/// `signet audit`: what an auditor runs against a server they do not have to trust.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the server's transparency log.",
        subcommands: [AuditVerifyCommand.self]
    )
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Fetch and verify the whole log, or the part since a checkpoint you kept: every entry, every hash, the signed checkpoint.",
        discussion: """
            Exits 0 when every entry verifies; otherwise exits 1 and names the first bad entry (or what \
            the evidence shows when no single entry can be named). The log's key comes from a TUF root \
            you trust (--root) or its verifier key (--log-key); nothing the server says is taken on trust.
            """
    )

    @Option(help: "The server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "An API token (or SIGNET_TOKEN): entries are for signed-in readers.") var token: String?
    @Option(help: "A TUF root you trust (e.g. 1.root.json), which names the log key.") var root: String?
    @Option(help: "The log's verifier key (NAME+HASH+KEY), instead of --root.") var logKey: String?
    @Option(name: .customLong("from-checkpoint"), help: "A checkpoint you kept: verify only what came after it, and that it is a prefix.")
    var fromCheckpoint: String?
    @Option(help: "Save the verified checkpoint here (for the next --from-checkpoint).") var saveCheckpoint: String?

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["SIGNET_TOKEN"] else {
            throw ValidationError("give --token or set SIGNET_TOKEN (an API token; the log's entries are for signed-in readers)")
        }
        let key = try loadKey()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        let reader = LogReader(api: APIClient(base: server.hasSuffix("/") ? String(server.dropLast()) : server, token: token, http: http))

        var trusted: Checkpoint?
        if let fromCheckpoint {
            guard let bytes = try AtomicFile.read(fromCheckpoint) else { throw CLIError("\(fromCheckpoint): no such file") }
            do { trusted = try Checkpoint(note: String(decoding: bytes, as: UTF8.self), verifiedBy: key) } catch {
                throw CLIError("\(fromCheckpoint): \(error.description)")
            }
        }
        let started = ContinuousClock.now
        let verified = try await reader.verify(key: key, trusted: trusted) { status($0) }
        let seconds = (ContinuousClock.now - started).components
        let elapsed = Double(seconds.seconds) + Double(seconds.attoseconds) / 1e18
        let size = verified.checkpoint.size, checked = size - (trusted?.size ?? 0)
        print("log \(key.name): \(size) entries verify" + (trusted.map { " (the \(checked) since your checkpoint of \($0.size), which is a prefix)" } ?? "")
              + String(format: "; %lld entries in %.2f s", checked, elapsed))
        if let saveCheckpoint { try AtomicFile.write(Array(verified.note.utf8), to: saveCheckpoint) }
    }

    func loadKey() throws -> NoteKey {
        switch (root, logKey) {
        case (let path?, nil):
            guard let bytes = try AtomicFile.read(path) else { throw CLIError("\(path): no such file") }
            let metadata = try Metadata<Root>(bytes: bytes)
            return try NoteKey(logOf: metadata.signed)
        case (nil, let text?):
            return try NoteKey(verifierKey: text)
        default:
            throw ValidationError("give --root (a TUF root you trust) or --log-key (the log's verifier key)")
        }
    }
}

/// Reads a log's tiles over HTTP for an audit; tiles of the hash levels are kept while needed.
struct LogReader {
    let api: APIClient

    /// Fetches the signed checkpoint and checks every entry under it (after `trusted`, if given),
    /// telling `progress` how far it got; a failure names the first bad entry it can.
    func verify(key: NoteKey, trusted: Checkpoint?, progress: (String) -> Void) async throws -> (checkpoint: Checkpoint, note: String) {
        let note = String(decoding: try await api.get("/log/checkpoint", maxBytes: 1 << 20), as: UTF8.self)
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(note: note, verifiedBy: key) } catch {
            throw CLIError("the server's checkpoint is not signed by \(key.name)'s key: \(error.description)")
        }
        progress("log \(key.name): checkpoint of \(checkpoint.size) entries, signed by its key" + (trusted.map { "; yours has \($0.size)" } ?? ""))
        do {
            var audit = try LogAudit(checkpoint: checkpoint, trusted: trusted)
            if let trusted, trusted.size > 0 {
                audit = try LogAudit(checkpoint: checkpoint, trusted: trusted, frontier: try await frontier(size: trusted.size, of: checkpoint.size))
            }
            var reported = ContinuousClock.now
            var levelOne: (index: Int64, hashes: [[UInt8]])?
            while !audit.isComplete {
                try await checkBundle(&audit, levelOne: &levelOne)
                if ContinuousClock.now - reported > .seconds(2) || audit.isComplete {
                    reported = ContinuousClock.now
                    progress("  verified \(audit.next) of \(checkpoint.size) entries")
                }
            }
            try audit.finish()
        } catch let failure as LogAuditFailure {
            throw CLIError("the log does not verify: \(failure.description)")
        }
        return (checkpoint, note)
    }

    /// The frontier of the first `size` entries, from the hash tiles of a tree of `treeSize`.
    func frontier(size: Int64, of treeSize: Int64) async throws -> MerkleFrontier {
        var tiles: [TileKey: [[UInt8]]] = [:]
        while true {
            var missing: Set<TileKey> = []
            let tree = TiledHashes(size: size) { level, indices in
                var hashes: [[UInt8]] = []
                for index in indices {
                    let key = TileKey(level: level, index: index >> 8)
                    guard let tile = tiles[key], Int(index & 255) < tile.count else {
                        missing.insert(key)
                        throw LogFormatError("fetching")
                    }
                    hashes.append(tile[Int(index & 255)])
                }
                return hashes
            }
            if let frontier = try? MerkleFrontier(size: size, subtree: tree.subtree) { return frontier }
            guard !missing.isEmpty else { throw CLIError("the log's hash tiles do not make a tree of \(size) entries") }
            for key in missing { tiles[key] = try await hashTile(key, treeSize: treeSize) }
        }
    }

    struct TileKey: Hashable {
        let level: Int
        let index: Int64
    }

    /// A hash tile as wide as a tree of `treeSize` has it.
    func hashTile(_ key: TileKey, treeSize: Int64) async throws -> [[UInt8]] {
        let available = (treeSize >> Int64(8 * key.level)) - key.index * 256
        let width = Int(min(256, available))
        guard width > 0 else { throw CLIError("the log has no tile \(key.index) at level \(key.level)") }
        let bytes = try await api.get("/log/" + TilePath.hashes(level: key.level, index: key.index, width: width), maxBytes: 8192)
        guard bytes.count == width * 32 else { throw CLIError("tile \(key.index) at level \(key.level): \(bytes.count) bytes, expected \(width * 32)") }
        return stride(from: 0, to: bytes.count, by: 32).map { Array(bytes[$0..<$0 + 32]) }
    }

    /// Checks the entries of the bundle that holds the audit's next entry (`levelOne`: the level-1
    /// tile last read, kept for the next 255 bundles).
    func checkBundle(_ audit: inout LogAudit, levelOne: inout (index: Int64, hashes: [[UInt8]])?) async throws {
        let size = audit.checkpoint.size, bundle = audit.next >> 8
        let width = Int(min(256, size - bundle * 256))
        let entries = try await entryBundle(bundle, width: width)
        let leaves = try await hashTile(TileKey(level: 0, index: bundle), treeSize: size)
        var tileHash: [UInt8]?
        if width == 256 {
            if levelOne?.index != bundle >> 8 { levelOne = (bundle >> 8, try await hashTile(TileKey(level: 1, index: bundle >> 8), treeSize: size)) }
            tileHash = levelOne?.hashes[Int(bundle & 255)]
        }
        for offset in Int(audit.next - bundle * 256)..<width {
            try audit.add(entry: entries[offset], servedLeafHash: leaves[offset], tileHash: offset == 255 ? tileHash : nil)
        }
    }

    /// An entry bundle; if the log cannot serve it, the first entry it lacks is named.
    func entryBundle(_ bundle: Int64, width: Int) async throws -> [[UInt8]] {
        func fetch(_ width: Int) async -> [[UInt8]]? {
            guard let bytes = try? await api.get("/log/" + TilePath.entries(index: bundle, width: width), maxBytes: 256 * 65_537) else { return nil }
            return try? EntryBundle.decode(bytes)
        }
        if let entries = await fetch(width), entries.count == width { return entries }
        // The widest prefix the log serves: the entry after it is missing or unreadable.
        var (good, bad) = (0, width)
        while bad - good > 1 {
            let middle = (good + bad) / 2
            if let entries = await fetch(middle), entries.count == middle { good = middle } else { bad = middle }
        }
        throw LogAuditFailure(entry: bundle * 256 + Int64(bad - 1), "the log does not serve it (deleted?)")
    }
}
