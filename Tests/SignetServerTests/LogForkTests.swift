import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import SignetCore
import SignetPlayer
import SignetTUFClient
import Testing

@testable import SignetServer

/// An attacker with the whole server (its database and its log key) rewrites the log's history
/// and signs a checkpoint over it: a player that witnessed the log before tells the fork.
@Suite("Players and approvers witness the transparency log: a forked log is an alert on the player, and signet approve refuses to sign")
struct LogForkTests {
    @Test func aServerThatServesAForkedLogIsCaughtByThePlayer() async throws {
        let folder = temporaryFolder("witness")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveNetwork.run { network in
            let identity = try await network.enroll(folder: folder)
            let player = Player(identity: identity, configuration: LiveNetwork.configuration(folder), clock: network.fixture.clock,
                                logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            defer { running.cancel() }
            let held = "\(folder)/log-checkpoint"
            try await waitFor("the player's first checkpoint") { FileManager.default.fileExists(atPath: held) }
            // The log grows (the player reports the release, and more events); the player follows it.
            let first = try #require(try AtomicFile.read(held))
            try await network.fixture.store.audit(at: network.fixture.clock.now(), actor: "ana", action: "screen.update", subject: "astana-1",
                                                  address: "10.0.0.1")
            try await waitFor("a newer checkpoint taken with its proof") { (try? AtomicFile.read(held)) != first }
            #expect(try await network.heartbeat()?["log_alert"] == nil)

            try await Self.rewriteHistory(network.fixture.store)
            try await waitFor("the player's log alert in its heartbeat") { try await network.heartbeat()?["log_alert"] != nil }
            let alert = try #require(try await network.heartbeat()?["log_alert"]?.stringValue)
            #expect(alert.contains("does not extend"), "\(alert)")
            // The server (honest but for its log, say) records the player's alert once.
            try await waitFor("the alert in the audit trail") {
                try await network.fixture.store.auditEvents(after: 0, limit: 100_000).contains { $0.action == "alert.log.fork" && $0.subject == "astana-1" }
            }
            // What it holds stays a checkpoint of the history it saw, not one of the forked log.
            let accepted = try #require(try AtomicFile.read(held))
            try await Task.sleep(for: .seconds(1))
            #expect(try AtomicFile.read(held) == accepted)
            let key = try NoteKey(logOf: try Metadata<Root>(bytes: try network.root).signed)
            let kept = try Checkpoint(note: String(decoding: accepted, as: UTF8.self), verifiedBy: key)
            let forked = try #require(try await network.fixture.store.logRoot(size: kept.size))
            #expect(kept.root != forked)
        }
    }

    /// The same rewrite as above, met by an approver: `signet approve` (the real binary) witnessed
    /// the log once, and after the rewrite refuses to sign, and keeps the checkpoint it had.
    @Test func anApproverRefusesToSignForAServerThatForkedItsLog() async throws {
        try await LiveNetwork.run { network in
            #expect(try await network.client.json(.put, "/api/v1/programme",
                                                  ServerProgrammeTests.document.replacingOccurrences(of: "the new tram line opens on Monday",
                                                                                                     with: "the tram line is open"),
                                                  headers: network.editing).status == .created)
            let proposal = try #require(try await network.client.json(.post, "/api/v1/releases", headers: network.editing).object?["id"]?.integerValue)
            let witness = "\(network.data)/approver-witness"
            func approve(_ extra: [String], answer: String = "") async throws -> (code: Int32, output: String) {
                let arguments = ["approve", String(proposal), "--server", network.server, "--key", "\(network.data)/offline/approver-1.key",
                                 "--token", network.approver, "--witness", witness, "--previews", "\(network.data)/previews"] + extra
                return try await runSignet(arguments, input: answer)
            }
            let rootFile = "\(network.data)/repository/metadata/1.root.json"
            // The first time, only with a root the approver trusts.
            let unrooted = try await approve([])
            #expect(unrooted.code != 0 && unrooted.output.contains("give --root"), "\(unrooted.output)")
            // The approver looks (the log is witnessed) but does not sign yet.
            let looked = try await approve(["--root", rootFile], answer: "n")
            #expect(looked.code != 0 && looked.output.contains("the first checkpoint you witness") && looked.output.contains("not signed"),
                    "\(looked.output)")
            let held = try #require(try AtomicFile.read("\(witness)/log-checkpoint"))
            let key = try NoteKey(logOf: try Metadata<Root>(bytes: try network.root).signed)
            let heldSize = try Checkpoint(note: String(decoding: held, as: UTF8.self), verifiedBy: key).size

            try await Self.rewriteHistory(network.fixture.store)
            try await waitFor("a checkpoint of the rewritten log") {
                try await network.fixture.store.latestCheckpoint()?.size ?? 0 > heldSize
            }
            let refused = try await approve(["--yes"])
            #expect(refused.code != 0 && refused.output.contains("refusing to sign") && refused.output.contains("does not extend"), "\(refused.output)")
            let signatures = try await network.fixture.store.signatures(proposalID: proposal)
            #expect(signatures.isEmpty)
            #expect(try AtomicFile.read("\(witness)/log-checkpoint") == held)
        }
    }

    /// The history rewritten: entry 1 moved to the end, every hash made again, every checkpoint
    /// replaced by one the server's log key signs over the new tree (one entry longer).
    static func rewriteHistory(_ store: ServerStore) async throws {
        try await store.database.write { db in
            var entries = try db.fetchAll(Data.self, sql: "SELECT entry FROM log_entry ORDER BY idx = 1, idx").map(Array.init)
            entries.append(LoggedEvent(at: Instant(millisecondsSince1970: 0), actor: "server", action: "screen.update", subject: "x",
                                       address: "local", detail: [:]).entry)
            for table in ["log_entry", "log_hash", "log_checkpoint"] { try db.execute(sql: "DELETE FROM \(table)") }
            _ = try ServerStore.appendToLog(entries, db)
        }
    }
}
