import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import SignetCore
import SignetPlayer
import SignetTUFClient
import Testing

@testable import SignetServer

/// A real player shows release 1, is blanked and restored; `signet forensics` (the real binary,
/// with the root the test trusts) explains both moments from the evidence, and catches a server
/// that changes its records of what was shown or who issued a command.
@Suite("signet forensics: what a screen showed and why, from signed evidence; a server that rewrites its records is caught")
struct ForensicsTests {
    @Test func forensicsExplainsAShowingAndABlankAndCatchesRewrittenRecords() async throws {
        let folder = temporaryFolder("forensics")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A clock that runs, so that each showing lasts a while.
        try await LiveNetwork.run(clock: MovableClock(running: true)) { network in
            let player = Player(identity: try await network.enroll(folder: folder), configuration: LiveNetwork.configuration(folder),
                                clock: network.fixture.clock, logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            defer { running.cancel() }
            try await waitFor("release 1 reported") { try await network.heartbeat()?["release"] == .integer(1) }
            #expect(try await network.command("blank").result == "done")
            try await waitFor("mode blank reported") { try await network.heartbeat()?["mode"] == .string("blank") }
            #expect(try await network.command("restore").result == "done")
            // The blank's record is closed by the restore and then handed in.
            var plays: [JSONObject] = []
            try await waitFor("the proofs of play of the programme and of the blank") {
                plays = (try await network.client.json(.get, "/api/v1/screens/astana-1/plays", headers: network.editing).object?["plays"]?.arrayValue ?? [])
                    .compactMap(\.objectValue)
                return plays.contains { $0["mode"] == "programme" } && plays.contains { $0["mode"] == "black" && $0["release"] == .integer(1) }
            }
            func middle(_ play: JSONObject) throws -> Instant {
                let start = try #require(play["start"]?.stringValue.flatMap(Instant.init(iso8601:)))
                let end = try #require(play["end"]?.stringValue.flatMap(Instant.init(iso8601:)))
                return start.adding(milliseconds: (end.millisecondsSince1970 - start.millisecondsSince1970) / 2)
            }
            let shown = try #require(plays.last { $0["mode"] == "programme" && $0["release"] == .integer(1) })
            let slide = try #require(shown["slide"]?.stringValue)
            let blanked = try #require(plays.last { $0["mode"] == "black" && $0["release"] == .integer(1) })
            let rootFile = "\(network.data)/repository/metadata/1.root.json"
            func forensics(_ at: Instant, _ extra: [String] = [], root: String? = nil) async throws -> (code: Int32, output: String) {
                try await runSignet(["forensics", "--server", network.server, "--token", network.admin, "--screen", "astana-1", "--at", at.iso8601,
                               "--root", root ?? rootFile] + extra)
            }

            // The API: signed-in readers only; the server's own examination passes.
            let path = "/api/v1/screens/astana-1/forensics?at=\(try middle(shown).iso8601)"
            #expect(try await network.client.json(.get, path).status == .unauthorized)
            let answer = try #require(try await network.client.json(.get, path, headers: network.editing).object)
            let report = try #require(answer["report"]?.objectValue)
            #expect(report["passed"] == .bool(true), "\(report)")
            #expect(report["showing"]?.objectValue?["slide"] == .string(slide))
            #expect(report["release"]?.objectValue?["legitimate"] == .bool(true))
            #expect(report["release"]?.objectValue?["approvals"]?.arrayValue?.count == 2)
            #expect(answer["lines"]?.arrayValue?.last == "Verdict: every proof and signature verifies")

            // The CLI, checking everything itself: the slide, the release and its approvers, the frame.
            let showing = try await forensics(try middle(shown))
            #expect(showing.code == 0, "\(showing.output)")
            for text in ["showing: slide \(slide) (programme)", "2 of 2 approver signatures required verify", "frame: the approved frame",
                         "blank (command", "by operator from 127.0.0.1", "Verdict: every proof and signature verifies"] {
                #expect(showing.output.contains(text), "\(text)\n\(showing.output)")
            }
            // During the blank, as JSON: black, put there by the operator's blank.
            let black = try await forensics(try middle(blanked), ["--json"])
            #expect(black.code == 0, "\(black.output)")
            let json = try #require(try JSONParser().parse(Array(black.output.split(separator: "\n").dropLast().joined(separator: "\n").utf8)).objectValue)
            #expect(json["showing"]?.objectValue?["mode"] == "black")
            #expect(json["frame"]?.stringValue?.contains("(blank) issued by operator") == true, "\(json)")

            // Each cited lookup is served by its action's own index, not a scan of every event.
            for action in ServerStore.citedActions {
                let plan = try await network.fixture.store.database.read { db in
                    try db.fetchAll(sql: """
                        EXPLAIN QUERY PLAN SELECT log_index FROM audit_event WHERE action = '\(action)' AND subject = 'x' AND at_ms BETWEEN 0 AND 1
                        """).map { $0["detail"] as String }
                }
                #expect(plan.contains { $0.contains("USING INDEX audit_\(action)") }, "\(action): \(plan)")
            }

            // A server that rewrites what the screen showed: the record is no longer the signed one.
            let store = network.fixture.store
            let sequence = try #require(shown["sequence"]?.integerValue)
            try await store.database.write { db in
                try db.execute(sql: "UPDATE play_record SET slide = 'ukraine' WHERE screen_id = 'astana-1' AND sequence = ?", arguments: [sequence])
            }
            let rewritten = try await forensics(try middle(shown))
            #expect(rewritten.code == 1 && rewritten.output.contains("NOT AS SIGNED: records \(sequence)"), "\(rewritten.output)")
            try await store.database.write { db in
                try db.execute(sql: "UPDATE play_record SET slide = ? WHERE screen_id = 'astana-1' AND sequence = ?", arguments: [slide, sequence])
            }
            #expect(try await forensics(try middle(shown)).code == 0)

            // A server that blames someone else for the blank: the signed command and the log say who.
            try await store.database.write { db in try db.execute(sql: "UPDATE command SET issued_by = 'mallory' WHERE action = 'blank'") }
            let blamed = try await forensics(try middle(blanked))
            #expect(blamed.code == 1 && blamed.output.contains("(blank): DOES NOT VERIFY, NOT IN THE LOG"), "\(blamed.output)")

            // A root the reader does not trust the chain from: nothing else is believed.
            var forged = try #require(try AtomicFile.read(rootFile))
            let at = try #require(forged.firstIndex(of: UInt8(ascii: "2")))  // a digit of the expiry, say
            forged[at] = UInt8(ascii: "3")
            try AtomicFile.write(forged, to: "\(folder)/other.root.json")
            let untrusted = try await forensics(try middle(shown), root: "\(folder)/other.root.json")
            #expect(untrusted.code == 1 && untrusted.output.contains("FAIL  the roots do not chain from your trusted root"), "\(untrusted.output)")
        }
    }
}
