import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SignetCore
import SignetPlayer
import SignetRender
import SignetSystem
import Testing

@testable import SignetServer

@Suite("The fleet simulator: real enrollment, channels, commands and updates; rendering when asked")
struct FleetSimulatorTests {
    @Test func simulatedScreensTakeAReleaseAcknowledgeACommandAndRenderWhenAsked() async throws {
        let folder = temporaryFolder("fleet-sim")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveNetwork.run(clock: .system()) { network in
            var options = FleetSimulator.Options(server: network.server, token: network.admin, screens: 3, folder: folder)
            options.heartbeatInterval = .milliseconds(300)
            options.renderer = SlideRenderer(typeface: try Typeface(name: "DejaVuSans.ttf", bytes: Array(try Data(
                contentsOf: URL(fileURLWithPath: network.fixture.config.fontPath)))))
            let simulator = FleetSimulator(options: options, http: .shared, logger: Logger(label: "fleet-sim"))
            let fleet = try await simulator.enroll { _ in }
            #expect(fleet.map(\.identity.screen) == ["sim-00001", "sim-00002", "sim-00003"])
            // A release whose programme names the first simulated screen (as astana-1 was named).
            try await network.release(ServerProgrammeTests.document.replacingOccurrences(of: "\"astana-1\"", with: "\"sim-00001\""))
            try await simulator.connect(fleet) { _ in }
            let heartbeats = Task { await simulator.heartbeats(fleet) }
            defer { heartbeats.cancel(); for screen in fleet { screen.close() } }

            // It verified and took release 2, and its heartbeat names the frame the server previews.
            try await waitFor("sim-00001 reports release 2 with a rendered frame") {
                let heartbeat = try await network.heartbeat("sim-00001")
                return heartbeat?["release"] == .integer(2) && heartbeat?["fingerprint"]?.stringValue != nil
            }
            // The playlist turns every 10 to 15 s: a heartbeat and a preview a moment apart can fall
            // either side of a turn, so the two are compared until they are taken within one slide.
            try await waitFor("sim-00001's reported frame to be the one the server previews") {
                let reported = try #require(try await network.heartbeat("sim-00001")?["fingerprint"]?.stringValue.flatMap(Fingerprint.init))
                let preview = try await network.client.json(.get, "/api/v1/screens/sim-00001/preview?at=\(SystemWallClock().now().iso8601)",
                                                            headers: network.editing)
                return reported.matches(Fingerprint(of: try ImageDecoder.decode(Array(preview.body.readableBytesView))))
            }
            // A command to the simulated group: every screen verifies its proof and acknowledges it.
            let issued = try await network.client.json(.post, "/api/v1/commands", #"{"action": "blank", "group": "sim"}"#,
                                                       headers: [.authorization: "Bearer \(network.operating)"])
            let ids = (issued.object?["commands"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"]?.integerValue }
            #expect(ids.count == 3)
            try await waitFor("three acknowledgements") { try await network.commandResults(ids).values.filter { $0 == "done" }.count == 3 }
        }
    }
}
