/// Why a log failed its audit: the first entry found wrong, when the evidence points to one.
public struct LogAuditFailure: Error, Equatable, CustomStringConvertible {
    public let entry: Int64?
    public let reason: String

    public init(entry: Int64?, _ reason: String) {
        self.entry = entry
        self.reason = reason
    }

    public var description: String { entry.map { "entry \($0): \(reason)" } ?? reason }
}

/// Checks a log entry by entry, in order, against the checkpoint signed over it: each entry is a
/// canonical event whose hash is the leaf hash the log serves; each full tile of 256 entries
/// makes the tile hash the log serves one level up; the first entries make the root of an older
/// checkpoint the reader trusts (so a log rewritten and signed again is caught); and all of them
/// make the checkpoint's root. Pure: the caller fetches, this decides.
public struct LogAudit: Sendable {
    public let checkpoint: Checkpoint
    public let trusted: Checkpoint?
    public private(set) var frontier: MerkleFrontier

    /// Starts at entry 0, or after `trusted` with the frontier of its size (made from the log's
    /// hash tiles, which must then give the trusted root).
    public init(checkpoint: Checkpoint, trusted: Checkpoint? = nil, frontier: MerkleFrontier = MerkleFrontier()) throws(LogAuditFailure) {
        if let trusted {
            guard trusted.origin == checkpoint.origin else { throw LogAuditFailure(entry: nil, "your checkpoint is of another log (\(trusted.origin))") }
            guard trusted.size <= checkpoint.size else {
                throw LogAuditFailure(entry: nil, "the log has \(checkpoint.size) entries, fewer than the \(trusted.size) of your checkpoint: it was rolled back")
            }
            if frontier.size > 0 {
                guard frontier.size == trusted.size, frontier.root == trusted.root else {
                    throw LogAuditFailure(entry: nil, "the log's first \(trusted.size) entries are not those of your checkpoint: its history was rewritten")
                }
            }
        }
        guard frontier.size <= checkpoint.size else { throw LogAuditFailure(entry: nil, "starting after the checkpoint's size") }
        self.checkpoint = checkpoint
        self.trusted = trusted
        self.frontier = frontier
    }

    /// The index of the next entry to check.
    public var next: Int64 { frontier.size }

    public var isComplete: Bool { frontier.size == checkpoint.size }

    /// Checks the next entry against the leaf hash the log serves for it; `tileHash` is what the
    /// log serves one level up for the tile this entry completes (nil if it completes none).
    public mutating func add(entry: [UInt8], servedLeafHash: [UInt8], tileHash: [UInt8]? = nil) throws(LogAuditFailure) {
        let index = frontier.size
        guard index < checkpoint.size else { throw LogAuditFailure(entry: index, "beyond the checkpoint's \(checkpoint.size) entries") }
        do { _ = try LoggedEvent(entry: entry) } catch { throw LogAuditFailure(entry: index, "not an event: \(error.description)") }
        let leaf = MerkleHash.leaf(entry)
        guard leaf == servedLeafHash else {
            throw LogAuditFailure(entry: index, "its bytes do not make the log's hash for it (changed, or moved here from elsewhere)")
        }
        let completed = frontier.append(leafHash: leaf)
        if let tile = completed.first(where: { $0.height == TiledHashes.tileHeight }), let tileHash, tile.hash != tileHash {
            let first = tile.index << Int64(TiledHashes.tileHeight)
            throw LogAuditFailure(entry: first, "entries \(first) to \(first + 255) do not make the log's hash of their tile (one of them changed with its hash)")
        }
        if let trusted, frontier.size == trusted.size, frontier.root != trusted.root {
            throw LogAuditFailure(entry: nil, "the log's first \(trusted.size) entries are not those of your checkpoint: its history was rewritten")
        }
    }

    /// After the last entry: they must make the checkpoint's root.
    public func finish() throws(LogAuditFailure) {
        guard isComplete else { throw LogAuditFailure(entry: next, "missing: the checkpoint has \(checkpoint.size) entries") }
        guard frontier.root == checkpoint.root else {
            throw LogAuditFailure(entry: nil, "the entries do not make the checkpoint's root: entries were deleted, inserted or reordered with their hashes")
        }
    }
}
