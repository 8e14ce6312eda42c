import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SignetCore
import SignetPlayer
import SignetRender
import Testing

@testable import SignetServer

/// A real server on loopback and a real player (enrollment, channel, TUF update, playout to a PNG
/// file, commands): what an operator sees from the first release to a fleet-wide blank and back.
@Suite("Player end to end: approved, pushed, verified, on screen; blanked and restored with acknowledgements")
struct PlayerEndToEndTests {
    @Test func anApprovedReleaseReachesTheScreenAndCommandsAreAcknowledged() async throws {
        let folder = temporaryFolder("player")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveNetwork.run { network in
            // The player enrolls with a one-time token and the root, then runs.
            let identity = try await network.enroll(folder: folder)
            #expect(identity.screen == "astana-1")
            let mode = try FileManager.default.attributesOfItem(atPath: "\(folder)/device.key")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let player = Player(identity: identity, configuration: LiveNetwork.configuration(folder), clock: network.fixture.clock,
                                logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            defer { running.cancel() }

            // The next frame shows release 1 exactly as the server's preview renders it.
            let frame = "\(folder)/frame.png"
            let expected = try await network.preview(at: network.fixture.clock.now())
            try await waitFor("release 1 on screen") { try await network.heartbeat()?["release"] == .integer(1) }
            try await waitFor("the approved frame in \(frame)") { (try? fingerprint(of: frame))?.matches(expected) == true }

            // blank --all: every screen acknowledges over the channel, and the frame goes black.
            let blank = try await network.command("blank")
            #expect(blank.result == "done", "\(blank)")
            // Over the channel: the player polls only every 60 s here. (How fast is for the release
            // build to show, in `bench fleet`; this debug build shares two cores with the other suites.)
            #expect(blank.seconds < 20)
            let black = Fingerprint(of: SlideRenderer.black(width: 960, height: 480).render())
            try await waitFor("a black frame") { (try? fingerprint(of: frame)) == black }
            try await waitFor("mode blank reported") { try await network.heartbeat()?["mode"] == .string("blank") }
            // Proof of play: the showing of release 1 ended with the blank, and the server holds it,
            // signed and chained, with the fingerprint of the approved frame.
            try await waitFor("the proof of play of release 1") {
                let plays = try await network.client.json(.get, "/api/v1/screens/astana-1/plays", headers: network.editing).object?["plays"]?.arrayValue
                return (plays ?? []).compactMap(\.objectValue).contains {
                    $0["mode"] == .string("programme") && $0["release"] == .integer(1)
                        && $0["fingerprint"]?.stringValue.flatMap(Fingerprint.init)?.matches(expected) == true
                }
            }
            let restore = try await network.command("restore")
            #expect(restore.result == "done", "\(restore)")
            try await waitFor("the approved frame again") { (try? fingerprint(of: frame))?.matches(expected) == true }

            // A screenshot: the player sends a thumbnail of its frame, and the console can show it.
            #expect(try await network.client.json(.get, "/api/v1/screens/astana-1/thumbnail", headers: network.editing).status == .notFound)
            #expect(try await network.command("screenshot").result == "done")
            var thumbnail: Canvas?
            try await waitFor("the thumbnail") {
                let response = try await network.client.json(.get, "/api/v1/screens/astana-1/thumbnail", headers: network.editing)
                thumbnail = response.status == .ok ? try ImageDecoder.decode(Array(response.body.readableBytesView)) : nil
                return thumbnail != nil
            }
            #expect(thumbnail?.width == 320 && thumbnail?.height == 160)
            #expect(thumbnail.map { Fingerprint(of: $0).matches(expected) } == true)
            // The wall learns when it came, to reload the tile's picture.
            #expect(try await screenList(network)["astana-1"]?["thumbnail_at"]?.stringValue == network.fixture.clock.now().iso8601)

            // Release 2 (programme v2, targets v3) reaches the screen by the pushed notice, well before the next poll.
            let published = ContinuousClock.now
            try await network.release(ServerProgrammeTests.document.replacingOccurrences(of: "the new tram line opens on Monday",
                                                                                        with: "the tram line is closed"))
            try await waitFor("release 2 reported") { try await network.heartbeat()?["release"] == .integer(2) }
            #expect(ContinuousClock.now - published < .seconds(20))  // the next poll would be 60 s away

            // The fleet in the metrics: both acknowledgements, the open channel, the screen on release 2.
            let metrics = try await network.client.json(.get, "/metrics", headers: [.authorization: "Bearer \(network.admin)"]).text
            for line in [#"signet_command_acknowledgements_total{result="done"} 3"#, "signet_devices_connected 1",
                         #"signet_screens_reporting_release{release="2"} 1"#, #"signet_screens_reporting_release{release="1"} 0"#] {
                #expect(metrics.contains(line), "\(line)")
            }
        }
    }
}

/// The screen list, by screen id.
private func screenList(_ network: LiveNetwork) async throws -> [String: JSONObject] {
    let screens = try await network.client.json(.get, "/api/v1/screens", headers: network.editing).object?["screens"]?.arrayValue ?? []
    return Dictionary(uniqueKeysWithValues: screens.compactMap(\.objectValue).compactMap { screen in screen["id"]?.stringValue.map { ($0, screen) } })
}
