import Foundation
import GRDB
import SignetCore

/// An acknowledgement as it arrived on a screen's channel.
struct ReceivedAcknowledgement: Sendable {
    let acknowledgement: Acknowledgement
    let screen: String
    let address: String
    let at: Instant
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
    static func migrateCommands(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("10: commands") { db in
            try db.create(table: "command_sequence") { table in
                table.column("screen_id", .text).primaryKey().references("screen", onDelete: .cascade)
                table.column("last_sequence", .integer).notNull()
            }
            try db.create(table: "command") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("screen_id", .text).notNull().references("screen", onDelete: .cascade).indexed()
                table.column("sequence", .integer).notNull()
                table.column("action", .text).notNull()
                table.column("signed", .blob).notNull()
                table.column("issued_by", .text).notNull()
                table.column("issued_ms", .integer).notNull()
                table.column("expires_ms", .integer).notNull()
                table.column("acked_ms", .integer)
                table.column("result", .text)
            }
        }
    }

    /// Issues one command per screen in one transaction: each screen's next sequence number, the
    /// command's id, then its signature over both (`sign` gets the finished command).
    func issueCommands(screens: [String], by account: String, at now: Instant, expires: Instant,
                       make: @Sendable (_ screen: String, _ sequence: Int64, _ id: Int64) throws -> (action: String, signed: [UInt8]))
        async throws -> [IssuedCommand]
    {
        try await database.write { db in
            var issued: [IssuedCommand] = []
            for screen in screens {
                let last = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM command_sequence WHERE screen_id = ?", arguments: [screen]) ?? 0
                let sequence = last + 1
                try db.execute(sql: """
                    INSERT INTO command_sequence (screen_id, last_sequence) VALUES (?, ?)
                    ON CONFLICT(screen_id) DO UPDATE SET last_sequence = excluded.last_sequence
                    """, arguments: [screen, sequence])
                try db.execute(sql: """
                    INSERT INTO command (screen_id, sequence, action, signed, issued_by, issued_ms, expires_ms) VALUES (?, ?, '', x'', ?, ?, ?)
                    """, arguments: [screen, sequence, account, now.millisecondsSince1970, expires.millisecondsSince1970])
                let id = db.lastInsertedRowID
                let made = try make(screen, sequence, id)
                try db.execute(sql: "UPDATE command SET action = ?, signed = ? WHERE id = ?", arguments: [made.action, Data(made.signed), id])
                issued.append(IssuedCommand(id: id, screen: screen, sequence: sequence, action: made.action, signed: made.signed,
                                            issuedBy: account, issuedAt: now, expires: expires, acknowledgedAt: nil, result: nil))
            }
            return issued
        }
    }

    /// Numbers one command for each screen, in set-based statements (a fleet of thousands costs a
    /// few milliseconds): each screen's next sequence number and the command's id. The signed
    /// documents follow with `storeSigned`; until then the rows are not offered as pending.
    func reserveCommands(screens: [String], action: String, by account: String, at now: Instant, expires: Instant) async throws
        -> [(id: Int64, screen: String, sequence: Int64)]
    {
        let list = String(decoding: JSONWriter.compact.encode(.array(screens.map(JSONValue.string))), as: UTF8.self)
        return try await database.write { db in
            let before = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM command") ?? 0
            try db.execute(sql: """
                INSERT INTO command_sequence (screen_id, last_sequence) SELECT value, 1 FROM json_each(?) WHERE true
                ON CONFLICT(screen_id) DO UPDATE SET last_sequence = last_sequence + 1
                """, arguments: [list])
            try db.execute(sql: """
                INSERT INTO command (screen_id, sequence, action, signed, issued_by, issued_ms, expires_ms)
                SELECT sequence.screen_id, sequence.last_sequence, ?, x'', ?, ?, ?
                FROM json_each(?) AS target JOIN command_sequence AS sequence ON sequence.screen_id = target.value ORDER BY target.key
                """, arguments: [action, account, now.millisecondsSince1970, expires.millisecondsSince1970, list])
            return try Row.fetchAll(db, sql: "SELECT id, screen_id, sequence FROM command WHERE id > ? ORDER BY id", arguments: [before]).map {
                (id: $0["id"], screen: $0["screen_id"], sequence: $0["sequence"])
            }
        }
    }

    /// The signed documents of reserved commands, by id.
    func storeSigned(_ documents: [(id: Int64, signed: [UInt8])]) async throws {
        try await database.write { db in
            let update = try db.cachedStatement(sql: "UPDATE command SET signed = ? WHERE id = ?")
            for document in documents { try update.execute(arguments: [Data(document.signed), document.id]) }
        }
    }

    /// Commands for a screen that are neither acknowledged nor expired, oldest first.
    func pendingCommands(screen: String, now: Instant) async throws -> [IssuedCommand] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM command WHERE screen_id = ? AND acked_ms IS NULL AND expires_ms > ? AND length(signed) > 0 ORDER BY sequence
                """, arguments: [screen, now.millisecondsSince1970]).map(Self.issuedCommand(from:))
        }
    }

    /// Records a player's acknowledgement; false if the command is not this screen's or was
    /// acknowledged already.
    func acknowledge(command id: Int64, screen: String, result: String, at now: Instant) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE command SET acked_ms = ?, result = ? WHERE id = ? AND screen_id = ? AND acked_ms IS NULL",
                           arguments: [now.millisecondsSince1970, result, id, screen])
            return db.changesCount == 1
        }
    }

    /// Records many acknowledgements and their audit events in one transaction; returns how many
    /// were pending (the others are ignored: not this screen's, or acknowledged already).
    func acknowledge(_ batch: [ReceivedAcknowledgement]) async throws -> Int {
        try await database.write { db in
            let update = try db.cachedStatement(sql: "UPDATE command SET acked_ms = ?, result = ? WHERE id = ? AND screen_id = ? AND acked_ms IS NULL")
            let audit = try db.cachedStatement(sql: """
                INSERT INTO audit_event (at_ms, actor, action, subject, address, detail) VALUES (?, ?, 'command.ack', ?, ?, ?)
                """)
            var recorded = 0
            for received in batch {
                let summary = received.acknowledgement.summary
                try update.execute(arguments: [received.at.millisecondsSince1970, summary, received.acknowledgement.command, received.screen])
                guard db.changesCount == 1 else { continue }
                recorded += 1
                let detail = String(decoding: CanonicalJSON.encode(.object(["result": .string(summary)])), as: UTF8.self)
                try audit.execute(arguments: [received.at.millisecondsSince1970, "device \(received.screen)",
                                              "command \(received.acknowledgement.command)", received.address, detail])
            }
            return recorded
        }
    }

    public func commands(ids: [Int64]) async throws -> [IssuedCommand] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM command WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY id",
                             arguments: StatementArguments(ids)).map(Self.issuedCommand(from:))
        }
    }

    static func issuedCommand(from row: Row) -> IssuedCommand {
        IssuedCommand(id: row["id"], screen: row["screen_id"], sequence: row["sequence"], action: row["action"],
                      signed: Array(row["signed"] as Data), issuedBy: row["issued_by"],
                      issuedAt: Instant(millisecondsSince1970: row["issued_ms"]), expires: Instant(millisecondsSince1970: row["expires_ms"]),
                      acknowledgedAt: (row["acked_ms"] as Int64?).map(Instant.init(millisecondsSince1970:)), result: row["result"])
    }
}
