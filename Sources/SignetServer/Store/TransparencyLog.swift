import Foundation
import SignetCore

/// The transparency log's storage: every entry, every tile hash (level 0: the leaf hashes; level
/// L: the hash of each full tile of level L-1) and every checkpoint signed. Entries are appended
/// in the transaction that records their event, so an event is in the log exactly when it
/// happened; a checkpoint is signed only over entries already committed.
extension ServerStore {

    /// An event with its encodings made, so that the writer's transaction only writes them.
    struct EncodedEvent: Sendable {
        let event: LoggedEvent
        let entry: [UInt8]
        let detail: String

        init(_ event: LoggedEvent) {
            self.event = event
            entry = event.entry
            detail = String(decoding: CanonicalJSON.encode(.object(event.detail)), as: UTF8.self)
        }
    }

    /// Records events in the caller's transaction: in the audit table (for queries) and as
    /// entries of the transparency log, whose index each audit row names.
    /// Returns the log index of the first (the others follow it).
    @discardableResult
    static func record(_ events: [LoggedEvent], _ db: any SQLConnection) throws -> Int64 {
        try record(events.map(EncodedEvent.init), db)
    }

    @discardableResult
    static func record(_ events: [EncodedEvent], _ db: any SQLConnection) throws -> Int64 {
        guard !events.isEmpty else { return try logSize(db) }
        let first = try appendToLog(events.map(\.entry), db)
        try db.insertRows(into: "audit_event", columns: ["at_ms", "actor", "action", "subject", "address", "detail", "log_index"],
                          events.enumerated().map { offset, encoded in
                              let event = encoded.event
                              return [.integer(event.at.millisecondsSince1970), .text(event.actor), .text(event.action), .text(event.subject),
                                      .text(event.address), .text(encoded.detail), .integer(first + Int64(offset))]
                          })
        return first
    }

    /// Appends entries in the caller's transaction; returns the index of the first. A full tile
    /// (256 hashes) at one level adds its hash at the next.
    static func appendToLog(_ entries: [[UInt8]], _ db: any SQLConnection) throws -> Int64 {
        let first = try logSize(db)
        if let large = entries.first(where: { $0.count > EntryBundle.maxEntryBytes }) { throw StoreError("a log entry of \(large.count) bytes") }
        try db.insertRows(into: "log_entry", columns: ["idx", "entry"], entries.enumerated().map { [.integer(first + Int64($0)), .blob($1)] })
        try db.insertRows(into: "log_hash", columns: ["level", "idx", "hash"],
                          entries.enumerated().map { [.integer(0), .integer(first + Int64($0)), .blob(MerkleHash.leaf($1))] })
        // Then each tile the new entries complete, level by level, from the hashes stored below it.
        for offset in entries.indices {
            let index = first + Int64(offset)
            var level = 0, completed = index + 1
            while completed % Int64(TilePath.width) == 0 {
                let tile = completed / Int64(TilePath.width) - 1
                let hashes = try storedHashes(db, level: level, tile * Int64(TilePath.width)..<completed)
                try db.execute(sql: "INSERT INTO log_hash (level, idx, hash) VALUES (?, ?, ?)",
                               arguments: [level + 1, tile, Data(MerkleTree(leafHashes: hashes).root)])
                level += 1
                completed = tile + 1
            }
        }
        return first
    }

    static func storedHashes(_ db: any SQLConnection, level: Int, _ indices: Range<Int64>) throws -> [[UInt8]] {
        let hashes = try db.fetchAll(Data.self, sql: "SELECT hash FROM log_hash WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                                       arguments: [level, indices.lowerBound, indices.upperBound]).map(Array.init)
        guard hashes.count == indices.count else {
            throw StoreError("log hashes \(indices) of level \(level) are missing")
        }
        return hashes
    }

    static func logSize(_ db: any SQLConnection) throws -> Int64 {
        try db.fetchOne(Int64.self, sql: "SELECT coalesce(max(idx) + 1, 0) FROM log_entry") ?? 0
    }

    /// The tree of the first `size` entries, read from the stored hashes (within `db`'s access).
    static func logTree(_ db: any SQLConnection, size: Int64) -> TiledHashes {
        TiledHashes(size: size) { level, indices in try storedHashes(db, level: level, indices) }
    }

    public func logSize() async throws -> Int64 {
        try await database.read { try Self.logSize($0) }
    }

    /// The root of the first `size` entries; nil if the log is smaller.
    public func logRoot(size: Int64) async throws -> [UInt8]? {
        try await database.read { db in
            guard size <= (try Self.logSize(db)) else { return nil }
            return try Self.logTree(db, size: size).root()
        }
    }

    /// A hash tile's bytes (its hashes one after another), if the log has that many.
    public func logTile(level: Int, index: Int64, width: Int) async throws -> [UInt8]? {
        let start = index * Int64(TilePath.width)
        return try await database.read { db in
            let hashes = try db.fetchAll(Data.self, sql: "SELECT hash FROM log_hash WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                                           arguments: [level, start, start + Int64(width)])
            return hashes.count == width ? hashes.flatMap(Array.init) : nil
        }
    }

    /// An entry bundle, if the log has that many entries.
    public func logEntryBundle(index: Int64, width: Int) async throws -> [UInt8]? {
        let start = index * Int64(TilePath.width)
        return try await database.read { db in
            let entries = try db.fetchAll(Data.self, sql: "SELECT entry FROM log_entry WHERE idx >= ? AND idx < ? ORDER BY idx",
                                            arguments: [start, start + Int64(width)])
            return entries.count == width ? EntryBundle.encode(entries.map(Array.init)) : nil
        }
    }

    public func logEntries(from start: Int64, count: Int) async throws -> [(index: Int64, entry: [UInt8])] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT idx, entry FROM log_entry WHERE idx >= ? ORDER BY idx LIMIT ?", arguments: [start, count]).map {
                (index: $0["idx"], entry: Array($0["entry"] as Data))
            }
        }
    }

    /// Nil if the log is smaller than `size`.
    public func logInclusionProof(index: Int64, size: Int64) async throws -> [[UInt8]]? {
        try await database.read { db in
            guard size <= (try Self.logSize(db)) else { return nil }
            return try Self.logTree(db, size: size).inclusionProof(index: index)
        }
    }

    /// Nil if the log is smaller than `second`.
    public func logConsistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]]? {
        try await database.read { db in
            guard second <= (try Self.logSize(db)) else { return nil }
            return try Self.logTree(db, size: second).consistencyProof(from: first)
        }
    }

    /// The newest signed checkpoint: its size and note.
    public func latestCheckpoint() async throws -> (size: Int64, note: String)? {
        try await database.read { db in
            try db.fetchOne(sql: "SELECT size, note FROM log_checkpoint ORDER BY size DESC LIMIT 1").map { (size: $0["size"], note: $0["note"]) }
        }
    }

    /// Signs a checkpoint of the whole log if it has grown since the last one: `sign` gets the
    /// size and root (read in the same transaction) and returns the note. Returns the newest.
    func checkpoint(at now: Instant, sign: @escaping @Sendable (Int64, [UInt8]) throws -> String) async throws -> (size: Int64, note: String) {
        try await database.write { db in
            let size = try Self.logSize(db)
            if let latest = try db.fetchOne(sql: "SELECT size, note FROM log_checkpoint ORDER BY size DESC LIMIT 1"),
               latest["size"] as Int64 == size {
                return (size: size, note: latest["note"])
            }
            let note = try sign(size, try Self.logTree(db, size: size).root())
            try db.execute(sql: "INSERT INTO log_checkpoint (size, note, signed_ms) VALUES (?, ?, ?)", arguments: [size, note, now.millisecondsSince1970])
            return (size: size, note: note)
        }
    }
}
