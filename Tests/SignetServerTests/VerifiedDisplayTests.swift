import Foundation
import Logging
import SignetCore
import SignetPlayer
import SignetRender
import SignetTUFClient
import Testing

@testable import SignetServer

/// Promise S5 end to end: a player that draws something other than the approved frame is caught
/// by its own check against the release's fingerprints, reported at once, and contained.
@Suite("Verified display: a faulty player is named, alerted and contained")
struct VerifiedDisplayTests {
    @Test func aPlayerThatDrawsAnotherPictureRaisesARenderMismatchAndFallsBackToTheSafeSlide() async throws {
        let folder = temporaryFolder("player-faulty")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveNetwork.run { network in
            var configuration = LiveNetwork.configuration(folder)
            // Every programme slide comes out with its colours inverted; the safe slide does not.
            configuration.faultSlides = ["city-news", "city-weather", "welcome"]
            let player = Player(identity: try await network.enroll(folder: folder), configuration: configuration, clock: network.fixture.clock,
                                logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            defer { running.cancel() }
            func alerts() async throws -> [AuditEvent] { try await network.fixture.store.latestAlerts(limit: 20).reversed() }
            try await waitFor("the render mismatch and the safe slide", seconds: 20) {
                try await alerts().contains { $0.action == "alert.display.containment" && $0.detail.contains("show the safe slide") }
            }
            let raised = try await alerts()
            let mismatch = try #require(raised.first { $0.action == "alert.display.render_mismatch" })
            let detail = try #require(try JSONParser().parse(Array(mismatch.detail.utf8)).objectValue)
            #expect(mismatch.subject == "astana-1" && detail["class"] == "player compromised or faulty")
            #expect((detail["distance"]?.integerValue ?? 0) > Int64(Fingerprint.threshold) && detail["expected"] != detail["rendered"])
            // Re-output first (a glitch that a fresh frame fixes never darkens a screen), then the safe slide; never black.
            let steps = raised.filter { $0.action == "alert.display.containment" }.compactMap {
                try? JSONParser().parse(Array($0.detail.utf8)).objectValue?["step"]?.stringValue
            }
            #expect(steps == ["re-output the approved frame", "show the safe slide"])
            try await waitFor("the safe slide reported") { try await network.heartbeat()?["slide"] == .string("safe") }
            // The proof of play of the moment says what was drawn and what was approved: they differ.
            try await waitFor("the mismatching proof of play at the server") {
                let plays = try await network.fixture.store.plays(screen: "astana-1", from: 0, to: .max, limit: 100).map(\.record)
                return plays.contains { record in
                    guard let drawn = record.fingerprint.flatMap(Fingerprint.init), let approved = record.expected.flatMap(Fingerprint.init) else { return false }
                    return record.mode == .programme && !drawn.matches(approved)
                }
            }
            // The safe slide's showing, still in progress on the player's disk, says containment holds it.
            let saved = try AtomicFile.read("\(folder)/proof-of-play.json").map { try JSONParser().parse($0) }
            let open = try PlayRecord(json: try #require(saved?.objectValue?["open"]))
            #expect(open.mode == .safe && open.contained == "safe slide")
        }
    }
}
