import Foundation
import SignetCore
import Testing

@testable import SignetServer

@Suite("signet audit verify against a live server: a whole log verifies; a deleted, changed, reordered or rewritten entry is found")
struct AuditVerifyTests {
    /// Runs `signet audit verify` with the root the test trusts; its exit code and all it printed.
    static func verify(_ network: LiveNetwork, _ extra: [String] = []) async throws -> (code: Int32, output: String) {
        let arguments = ["audit", "verify", "--server", network.server, "--token", network.admin,
                         "--root", "\(network.data)/repository/metadata/1.root.json"] + extra
        return try await runSignet(arguments)
    }

    @Test func tamperingWithStoredEntriesIsFoundAndNamed() async throws {
        try await LiveNetwork.run { network in
            let store = network.fixture.store
            // Enough events for more than one tile (256 entries).
            try await store.audit((0..<300).map { n in
                LoggedEvent(at: network.fixture.clock.now(), actor: "operator", action: "screen.update", subject: "s-\(n)", address: "10.0.0.1",
                            detail: ["n": .integer(Int64(n))])
            })
            let kept = "\(network.data)/checkpoint.kept"
            let whole = try await Self.verify(network, ["--save-checkpoint", kept])
            #expect(whole.code == 0, "\(whole.output)")
            #expect(whole.output.contains("entries verify"))
            let size = try await store.logSize()
            #expect(size > 300)

            func tampered(_ what: String, _ change: @escaping @Sendable (any SQLConnection) throws -> Void, names expected: String,
                          _ extra: [String] = [], looksWholeAlone: Bool = false) async throws {
                let saved = try await store.database.read { db in
                    (try db.fetchAll(sql: "SELECT * FROM log_entry").map { ($0["idx"] as Int64, $0["entry"] as Data) },
                     try db.fetchAll(sql: "SELECT * FROM log_hash").map { ($0["level"] as Int64, $0["idx"] as Int64, $0["hash"] as Data) },
                     try db.fetchAll(sql: "SELECT * FROM log_checkpoint").map { ($0["size"] as Int64, $0["note"] as String, $0["signed_ms"] as Int64) })
                }
                try await store.database.write(change)
                if looksWholeAlone {
                    let alone = try await Self.verify(network)
                    #expect(alone.code == 0, "\(what), without the kept checkpoint: \(alone.output)")
                }
                let result = try await Self.verify(network, extra)
                #expect(result.code == 1, "\(what): \(result.output)")
                #expect(result.output.contains(expected), "\(what): \(result.output)")
                // Put the log back as it was.
                try await store.database.write { db in
                    for table in ["log_entry", "log_hash", "log_checkpoint"] { try db.execute(sql: "DELETE FROM \(table)") }
                    for row in saved.0 { try db.execute(sql: "INSERT INTO log_entry (idx, entry) VALUES (?, ?)", arguments: [row.0, row.1]) }
                    for row in saved.1 { try db.execute(sql: "INSERT INTO log_hash (level, idx, hash) VALUES (?, ?, ?)", arguments: [row.0, row.1, row.2]) }
                    for row in saved.2 {
                        try db.execute(sql: "INSERT INTO log_checkpoint (size, note, signed_ms) VALUES (?, ?, ?)", arguments: [row.0, row.1, row.2])
                    }
                }
            }

            try await tampered("a changed entry", { db in
                try db.execute(sql: "UPDATE log_entry SET entry = CAST(replace(entry, 's-100', 's-666') AS BLOB) WHERE idx = (SELECT max(idx) - 199 FROM log_entry)")
            }, names: "entry \(size - 200): its bytes do not make the log's hash")
            try await tampered("two entries swapped", { db in
                try db.execute(sql: """
                    UPDATE log_entry SET entry = CASE idx WHEN 10 THEN (SELECT entry FROM log_entry WHERE idx = 20)
                                                          ELSE (SELECT entry FROM log_entry WHERE idx = 10) END WHERE idx IN (10, 20)
                    """)
            }, names: "entry 10:")
            try await tampered("a deleted entry", { db in
                try db.execute(sql: "DELETE FROM log_entry WHERE idx = 150")
            }, names: "entry 150: the log does not serve it")
            try await tampered("an entry changed with its hash", { db in
                let changed = LoggedEvent(at: Instant(millisecondsSince1970: 0), actor: "nobody", action: "release.sign", subject: "proposal 1",
                                          address: "10.6.6.6", detail: [:]).entry
                try db.execute(sql: "UPDATE log_entry SET entry = ? WHERE idx = 40", arguments: [Data(changed)])
                try db.execute(sql: "UPDATE log_hash SET hash = ? WHERE level = 0 AND idx = 40", arguments: [Data(MerkleHash.leaf(changed))])
            }, names: "entries 0 to 255 do not make the log's hash of their tile")
            // The attacker with the whole server (and so the log key): entry 5 moved to the end, every
            // hash made again and a new checkpoint signed. Alone the log looks whole; a reader's older
            // checkpoint catches it.
            try await tampered("history rewritten and signed again", { db in
                let entries = try db.fetchAll(Data.self, sql: "SELECT entry FROM log_entry ORDER BY idx = 5, idx").map(Array.init)
                for table in ["log_entry", "log_hash", "log_checkpoint"] { try db.execute(sql: "DELETE FROM \(table)") }
                _ = try ServerStore.appendToLog(entries, db)
            }, names: "are not those of your checkpoint: its history was rewritten", ["--from-checkpoint", kept],
               looksWholeAlone: true)

            // Put back, the log verifies again, and from the kept checkpoint too.
            let again = try await Self.verify(network, ["--from-checkpoint", kept])
            #expect(again.code == 0, "\(again.output)")
        }
    }
}
