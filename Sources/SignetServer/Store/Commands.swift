import Foundation
import SignetCore
import Synchronization

/// An acknowledgement as it arrived on a screen's channel.
struct ReceivedAcknowledgement: Sendable {
    let acknowledgement: Acknowledgement
    let screen: String
    let address: String
    let at: Instant
}

/// What a list shows of a command: to which screen, what, by whom, when, and how it was
/// acknowledged (without the signed document, which costs a proof to make).
public struct CommandRecord: Sendable, Equatable {
    public let id: Int64
    public let screen: String
    public let sequence: Int64
    public let action: String
    public let issuedBy: String
    public let issuedAt: Instant
    public let expires: Instant
    public let acknowledgedAt: Instant?
    /// `done`, or `refused: reason`, as the player reported it.
    public let result: String?

    init(_ row: SQLRow) {
        id = row["id"]
        screen = row["screen_id"]
        sequence = row["sequence"]
        action = row["action"]
        issuedBy = row["issued_by"]
        issuedAt = Instant(millisecondsSince1970: row["issued_ms"])
        expires = Instant(millisecondsSince1970: row["expires_ms"])
        acknowledgedAt = (row["acked_ms"] as Int64?).map(Instant.init(millisecondsSince1970:))
        result = row["result"]
    }
}

/// A command as issued to one screen, and its acknowledgement once the player reports it.
public struct IssuedCommand: Sendable, Equatable {
    public let id: Int64
    public let screen: String
    public let sequence: Int64
    public let action: String
    /// The signed command document, as the player receives it.
    public let signed: [UInt8]
    public let issuedBy: String
    public let issuedAt: Instant
    public let expires: Instant
    public let acknowledgedAt: Instant?
    /// `done`, or `refused: reason`, as the player reported it.
    public let result: String?
}

extension ServerStore {


    /// Issues one command per screen in one transaction: each screen's next sequence number, the
    /// command's id, then its signature over both (`sign` gets the finished command).
    func issueCommands(screens: [String], by account: String, at now: Instant, expires: Instant,
                       make: @escaping @Sendable (_ screen: String, _ sequence: Int64, _ id: Int64) throws -> (action: String, signed: [UInt8]))
        async throws -> [IssuedCommand]
    {
        try await database.write { db in
            var issued: [IssuedCommand] = []
            for screen in screens {
                let last = try db.fetchOne(Int64.self, sql: "SELECT last_sequence FROM command_sequence WHERE screen_id = ?", arguments: [screen]) ?? 0
                let sequence = last + 1
                try db.execute(sql: """
                    INSERT INTO command_sequence (screen_id, last_sequence) VALUES (?, ?)
                    ON CONFLICT(screen_id) DO UPDATE SET last_sequence = excluded.last_sequence
                    """, arguments: [screen, sequence])
                let id = try db.insertReturningID(sql: """
                    INSERT INTO command (screen_id, sequence, action, signed, issued_by, issued_ms, expires_ms) VALUES (?, ?, '', ?, ?, ?, ?)
                    """, arguments: [screen, sequence, Data(), account, now.millisecondsSince1970, expires.millisecondsSince1970])
                let made = try make(screen, sequence, id)
                try db.execute(sql: "UPDATE command SET action = ?, signed = ? WHERE id = ?", arguments: [made.action, Data(made.signed), id])
                issued.append(IssuedCommand(id: id, screen: screen, sequence: sequence, action: made.action, signed: made.signed,
                                            issuedBy: account, issuedAt: now, expires: expires, acknowledgedAt: nil, result: nil))
            }
            return issued
        }
    }

    /// Numbers one command for each screen, in set-based statements (a fleet of thousands costs a
    /// few milliseconds): each screen's next sequence number and the command's id, consecutive in
    /// the order of `screens`. The signed batch follows with `storeBatch`; until then the rows are
    /// not offered as pending.
    func reserveCommands(screens: [String], action: String, by account: String, at now: Instant, expires: Instant) async throws
        -> [(id: Int64, screen: String, sequence: Int64)]
    {
        let list = String(decoding: JSONWriter.compact.encode(.array(screens.map(JSONValue.string))), as: UTF8.self)
        return try await database.write { db in
            let targets = db.dialect.jsonTextArray("?", as: "target")
            try db.execute(sql: """
                INSERT INTO command_sequence (screen_id, last_sequence) SELECT target.value, 1 FROM \(targets) WHERE true
                ON CONFLICT(screen_id) DO UPDATE SET last_sequence = command_sequence.last_sequence + 1
                """, arguments: [list])
            return try db.fetchAll(sql: """
                INSERT INTO command (screen_id, sequence, action, signed, issued_by, issued_ms, expires_ms)
                SELECT sequence.screen_id, sequence.last_sequence, ?, ?, ?, ?, ?
                FROM \(targets) JOIN command_sequence AS sequence ON sequence.screen_id = target.value ORDER BY target.key
                RETURNING id, screen_id, sequence
                """, arguments: [action, Data(), account, now.millisecondsSince1970, expires.millisecondsSince1970, list])
                .map { (id: $0["id"] as Int64, screen: $0["screen_id"] as String, sequence: $0["sequence"] as Int64) }
                .sorted { $0.id < $1.id }
        }
    }

    /// A signed batch of reserved commands, whose ids are consecutive from `firstID` in the
    /// batch's order (as `reserveCommands` numbers them): from now on they are offered as pending.
    /// One row for the batch and one statement for its commands, however many screens.
    @discardableResult
    func storeBatch(_ batch: SignedCommandBatch, firstID: Int64) async throws -> Int64 {
        var framed: [UInt8] = []
        for leaf in batch.leaves { framed += withUnsafeBytes(of: UInt32(leaf.count).bigEndian, Array.init) + leaf }
        let leaves = framed, count = Int64(batch.leaves.count)
        let id = try await database.write { db in
            let batchID = try db.insertReturningID(sql: "INSERT INTO command_batch (signed, leaf_hashes, leaves) VALUES (?, ?, ?)",
                                                   arguments: [Data(batch.batch), Data(batch.tree.levels[0].joined()), Data(leaves)])
            let changed = try db.execute(sql: "UPDATE command SET batch_id = ?, leaf_index = id - ? WHERE id BETWEEN ? AND ?",
                                         arguments: [batchID, firstID, firstID, firstID + count - 1])
            guard changed == count else {
                throw StoreError("the batch's \(count) commands are not rows \(firstID) to \(firstID + count - 1)")
            }
            return batchID
        }
        batchTrees.remember(id, CommandBatchTrees.Entry(batch: batch.batch, tree: batch.tree, leaves: batch.leaves))
        return id
    }

    /// A stored batch's commands (`ids`) still pending for any of `screens` (those connected to a
    /// replica that did not issue them), with their documents. Read by id: the table holds every
    /// command ever issued, and has no index by batch.
    func pendingCommands(batch batchID: Int64, ids: ClosedRange<Int64>, screens: Set<String>) async throws -> [IssuedCommand] {
        try await database.read { [batchTrees] db in
            try db.fetchAll(sql: "SELECT * FROM command WHERE id BETWEEN ? AND ? AND batch_id = ? AND acked_ms IS NULL ORDER BY id",
                            arguments: [ids.lowerBound, ids.upperBound, batchID])
                .filter { screens.contains($0["screen_id"]) }
                .map { try Self.issuedCommand(from: $0, db, trees: batchTrees) }
        }
    }

    /// The document a screen receives for a stored command: its batch's signed part, its proof
    /// and its command (from the batch, kept in memory for recent batches).
    static func document(_ row: SQLRow, _ db: any SQLConnection, trees: CommandBatchTrees) throws -> [UInt8] {
        guard let batchID = row["batch_id"] as Int64?, let index = row["leaf_index"] as Int? else { return Array(row["signed"] as Data) }
        let entry = try trees.entry(batchID) {
            guard let batch = try db.fetchOne(sql: "SELECT * FROM command_batch WHERE id = ?", arguments: [batchID]) else {
                throw StoreError("command batch \(batchID) is missing")
            }
            let hashes = Array(batch["leaf_hashes"] as Data), framed = Array(batch["leaves"] as Data)
            var leaves: [[UInt8]] = [], offset = 0
            while offset + 4 <= framed.count {
                let length = framed[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
                guard offset + 4 + length <= framed.count else { break }
                leaves.append(Array(framed[offset + 4..<offset + 4 + length]))
                offset += 4 + length
            }
            guard leaves.count * 32 == hashes.count, offset == framed.count else {
                throw StoreError("command batch \(batchID) is damaged")
            }
            return CommandBatchTrees.Entry(batch: Array(batch["signed"] as Data),
                                           tree: MerkleTree(leafHashes: stride(from: 0, to: hashes.count, by: 32).map { Array(hashes[$0..<$0 + 32]) }),
                                           leaves: leaves)
        }
        guard index >= 0, index < entry.leaves.count else { throw StoreError("no leaf \(index) in batch \(batchID)") }
        return SignedCommandBatch.document(batch: entry.batch, index: index, proof: entry.tree.inclusionProof(index: index), signed: entry.leaves[index])
    }

    /// Commands for a screen that are neither acknowledged nor expired, oldest first.
    func pendingCommands(screen: String, now: Instant) async throws -> [IssuedCommand] {
        try await database.read { db in
            try db.fetchAll(sql: """
                SELECT * FROM command WHERE screen_id = ? AND acked_ms IS NULL AND expires_ms > ? AND (batch_id IS NOT NULL OR length(signed) > 0) ORDER BY sequence
                """, arguments: [screen, now.millisecondsSince1970]).map { try Self.issuedCommand(from: $0, db, trees: batchTrees) }
        }
    }

    /// Records a player's acknowledgement; false if the command is not this screen's or was
    /// acknowledged already.
    func acknowledge(command id: Int64, screen: String, result: String, at now: Instant) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE command SET acked_ms = ?, result = ? WHERE id = ? AND screen_id = ? AND acked_ms IS NULL",
                           arguments: [now.millisecondsSince1970, result, id, screen]) == 1
        }
    }

    /// Records many acknowledgements in one transaction, with their audit events: one for all
    /// the commands done (naming them), one for each refusal (with its reason). Returns how many
    /// were pending (the others are ignored: not this screen's, or acknowledged already) and how
    /// many audit events that made.
    func acknowledge(_ batch: [ReceivedAcknowledgement]) async throws -> (recorded: Int, audited: Int) {
        try await database.write { db in
            var pending = try Self.markAcknowledged(batch, db)
            var done: [(command: Int64, screen: String)] = []
            var events: [LoggedEvent] = []
            for received in batch {
                let summary = received.acknowledgement.summary
                guard pending.remove(received.acknowledgement.command) != nil else {
                    if let event = try Self.lateRefusal(received, db) { events.append(event) }
                    continue
                }
                guard case .refused = received.acknowledgement.result else { done.append((received.acknowledgement.command, received.screen)); continue }
                events.append(LoggedEvent(at: received.at, actor: "device \(received.screen)", action: "command.ack",
                                       subject: "command \(received.acknowledgement.command)", address: received.address,
                                       detail: ["result": .string(summary)]))
            }
            let recorded = done.count + events.count
            // The commands done, named in events of at most 2,000 (a log entry holds 64 KB).
            if let last = batch.last {
                for start in stride(from: 0, to: done.count, by: Self.acknowledgementsPerEvent) {
                    let part = done[start..<min(start + Self.acknowledgementsPerEvent, done.count)]
                    events.append(LoggedEvent(at: last.at, actor: part.count == 1 ? "device \(part[start].screen)" : "devices", action: "command.ack",
                                           subject: part.count == 1 ? "command \(part[start].command)" : "\(part.count) commands", address: "channels",
                                           detail: ["result": "done", "count": .integer(Int64(part.count)),
                                                    "commands": .array(part.map { .integer($0.command) })]))
                }
            }
            try Self.record(events, db)
            return (recorded, events.count)
        }
    }

    static let acknowledgementsPerEvent = 2_000

    /// Sets the acknowledgement of every pending command in `batch`, in statements of a thousand
    /// (on PostgreSQL each statement is a round trip); returns the ids that were pending.
    static func markAcknowledged(_ batch: [ReceivedAcknowledgement], _ db: any SQLConnection) throws -> Set<Int64> {
        var pending = Set<Int64>()
        for start in stride(from: 0, to: batch.count, by: 1_000) {
            let part = batch[start..<min(start + 1_000, batch.count)]
            var arguments: SQLArguments = []
            for received in part {
                arguments.values += [.integer(received.acknowledgement.command), .text(received.screen),
                                     .integer(received.at.millisecondsSince1970), .text(received.acknowledgement.summary)]
            }
            // VALUES' columns are column1, column2, ... in both engines.
            let updated = try db.fetchAll(Int64.self, sql: """
                UPDATE command SET acked_ms = ack.column3, result = ack.column4
                FROM (VALUES \(Array(repeating: "(?, ?, ?, ?)", count: part.count).joined(separator: ", "))) AS ack
                WHERE command.id = ack.column1 AND command.screen_id = ack.column2 AND command.acked_ms IS NULL
                RETURNING command.id
                """, arguments: arguments)
            pending.formUnion(updated)
        }
        return pending
    }

    /// A refusal of a command that is not pending: the player was sent a command again after
    /// carrying it out (a replay), or one the server never issued to it (a forgery). Either way
    /// someone sent the screen a command the server did not send it now: an alert, not nothing.
    static func lateRefusal(_ received: ReceivedAcknowledgement, _ db: any SQLConnection) throws -> LoggedEvent? {
        guard case .refused = received.acknowledgement.result else { return nil }
        let stored = try db.fetchOne(sql: "SELECT result FROM command WHERE id = ? AND screen_id = ?",
                                      arguments: [received.acknowledgement.command, received.screen])
        // The same refusal again is the acknowledgement sent twice, not a new event.
        if let stored, stored["result"] as String? == received.acknowledgement.summary { return nil }
        let issued = stored != nil
        return LoggedEvent(at: received.at, actor: "device \(received.screen)", action: "alert.command.refused",
                           subject: "command \(received.acknowledgement.command)", address: received.address,
                           detail: ["result": .string(received.acknowledgement.summary),
                                    "why": .string(issued ? "a command already carried out, sent again: a replay"
                                                          : "a command the server never issued to this screen")])
    }

    /// The same for one acknowledgement over HTTP: the event to log, if it is a late refusal.
    func lateRefusal(_ received: ReceivedAcknowledgement) async throws -> Bool {
        try await database.write { db in
            guard let event = try Self.lateRefusal(received, db) else { return false }
            try Self.record([event], db)
            return true
        }
    }

    /// The commands `ids`, as lists show them.
    public func commandRecords(ids: [Int64]) async throws -> [CommandRecord] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            try db.fetchAll(sql: """
                SELECT id, screen_id, sequence, action, issued_by, issued_ms, expires_ms, acked_ms, result FROM command
                WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY id
                """, arguments: SQLArguments(ids)).map(CommandRecord.init)
        }
    }

    /// The newest `limit` commands to `screen`, newest first.
    public func latestCommandRecords(screen: String, limit: Int) async throws -> [CommandRecord] {
        try await database.read { db in
            try db.fetchAll(sql: """
                SELECT id, screen_id, sequence, action, issued_by, issued_ms, expires_ms, acked_ms, result FROM command
                WHERE screen_id = ? ORDER BY id DESC LIMIT ?
                """, arguments: [screen, limit]).map(CommandRecord.init)
        }
    }

    /// The commands `ids` with their signed documents, as the screens received them.
    public func commands(ids: [Int64]) async throws -> [IssuedCommand] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            try db.fetchAll(sql: "SELECT * FROM command WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY id",
                             arguments: SQLArguments(ids)).map { try Self.issuedCommand(from: $0, db, trees: batchTrees) }
        }
    }

    static func issuedCommand(from row: SQLRow, _ db: any SQLConnection, trees: CommandBatchTrees) throws -> IssuedCommand {
        IssuedCommand(id: row["id"], screen: row["screen_id"], sequence: row["sequence"], action: row["action"],
                      signed: try document(row, db, trees: trees), issuedBy: row["issued_by"],
                      issuedAt: Instant(millisecondsSince1970: row["issued_ms"]), expires: Instant(millisecondsSince1970: row["expires_ms"]),
                      acknowledgedAt: (row["acked_ms"] as Int64?).map(Instant.init(millisecondsSince1970:)), result: row["result"])
    }
}

/// Recent command batches (signed batch, tree, commands), so that the screens reconnecting after
/// a fan-out get their documents without each reading and rebuilding a tree of thousands of leaves.
final class CommandBatchTrees: Sendable {
    struct Entry: Sendable {
        let batch: [UInt8]
        let tree: MerkleTree
        let leaves: [[UInt8]]
    }

    private let entries = Mutex<[Int64: Entry]>([:])
    private let capacity = 8

    func remember(_ id: Int64, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= capacity, let oldest = entries.keys.min() { entries[oldest] = nil }
            entries[id] = entry
        }
    }

    func entry(_ id: Int64, load: () throws -> Entry) throws -> Entry {
        if let entry = entries.withLock({ $0[id] }) { return entry }
        let entry = try load()
        remember(id, entry)
        return entry
    }
}
