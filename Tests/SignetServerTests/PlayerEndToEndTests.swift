import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SignetCore
import SignetOutput
import SignetPlayer
import SignetRender
import SignetTUFClient
import Testing

@testable import SignetServer

/// A real server on loopback and a real player (enrollment, channel, TUF update, playout to a PNG
/// file, commands): what an operator sees from the first release to a fleet-wide blank and back.
@Suite("Player end to end: approved, pushed, verified, on screen; blanked and restored with acknowledgements")
struct PlayerEndToEndTests {
    @Test func anApprovedReleaseReachesTheScreenAndCommandsAreAcknowledged() async throws {
        var configured = try await ServerFixture.withRepository()
        configured.config.host = "127.0.0.1"
        configured.config.port = 0
        let fixture = configured
        let data = fixture.config.dataDirectory
        let playerFolder = NSTemporaryDirectory() + "signet-player-test-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: playerFolder)
        }
        let frame = "\(playerFolder)/frame.png"
        let app = buildApplication(config: fixture.config, store: fixture.store, clock: fixture.clock, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let (editor, admin) = try await ServerProgrammeTests().prepare(client)
            let approver = try await client.token(for: "approver"), operating = try await client.token(for: "operator")
            let editing: HTTPFields = [.authorization: "Bearer \(editor)"]

            // Release 1 (programme v1, targets v2), approved by two of the three approvers.
            #expect(try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: editing).status == .created)
            try await propose(client, editing: editing, approver: approver, data: data)

            // The player enrolls with a one-time token and the root, then runs.
            let token = try #require(try await client.json(.post, "/api/v1/screens/astana-1/enrollment",
                                                           headers: [.authorization: "Bearer \(admin)"]).object?["token"]?.stringValue)
            let root = try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json"))
            let identity = try await DeviceIdentity.enroll(server: server, token: token, trustedRoot: root, folder: playerFolder)
            #expect(identity.screen == "astana-1")
            let mode = try FileManager.default.attributesOfItem(atPath: "\(playerFolder)/device.key")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            var configuration = PlayerConfiguration(folder: playerFolder, outputs: [.png(path: frame)], fontPath: ProgrammeTestSupport.font)
            configuration.pollInterval = .seconds(60)  // the channel, not polling, must carry what follows
            configuration.heartbeatInterval = .milliseconds(200)
            configuration.frameInterval = .milliseconds(50)
            let player = Player(identity: identity, configuration: configuration, clock: fixture.clock, logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            defer { running.cancel() }

            // The next frame shows release 1 exactly as the server's preview renders it.
            let expected = try await preview(client, editing: editing)
            try await waitFor("release 1 on screen") { try await heartbeat(client, admin)?["release"] == .integer(1) }
            try await waitFor("the approved frame in \(frame)") { (try? fingerprint(of: frame))?.matches(expected) == true }

            // blank --all: every screen acknowledges over the channel, and the frame goes black.
            let blank = try await command(client, "blank", operating)
            #expect(blank.result == "done", "\(blank)")
            #expect(blank.seconds < 2)
            let black = Fingerprint(of: SlideRenderer.black(width: 960, height: 480).render())
            try await waitFor("a black frame") { (try? fingerprint(of: frame)) == black }
            #expect(try await heartbeatWhenMode(client, admin, "blank"))
            let restore = try await command(client, "restore", operating)
            #expect(restore.result == "done", "\(restore)")
            try await waitFor("the approved frame again") { (try? fingerprint(of: frame))?.matches(expected) == true }

            // Release 2 (programme v2, targets v3) reaches the screen by the pushed notice, well before the next poll.
            let edited = ServerProgrammeTests.document.replacingOccurrences(of: "the new tram line opens on Monday", with: "the tram line is closed")
            #expect(try await client.json(.put, "/api/v1/programme", edited, headers: editing).status == .created)
            let published = ContinuousClock.now
            try await propose(client, editing: editing, approver: approver, data: data)
            try await waitFor("release 2 reported") { try await heartbeat(client, admin)?["release"] == .integer(2) }
            #expect(ContinuousClock.now - published < .seconds(5))
        }
    }

    func propose(_ client: some TestClientProtocol, editing: HTTPFields, approver: String, data: String) async throws {
        let proposal = try #require(try await client.json(.post, "/api/v1/releases", headers: editing).object)
        let id = try #require(proposal["id"]?.integerValue)
        for index in 1...2 {
            let signed = try await client.json(.post, "/api/v1/releases/\(id)/signatures",
                                               try approval(try keyFile("\(data)/offline/approver-\(index).key"), of: proposal),
                                               headers: [.authorization: "Bearer \(approver)"])
            #expect(signed.status == .ok, "\(signed.text)")
        }
    }

    func preview(_ client: some TestClientProtocol, editing: HTTPFields) async throws -> Fingerprint {
        let response = try await client.json(.get, "/api/v1/screens/astana-1/preview?at=\(ServerFixture().clock.now().iso8601)", headers: editing)
        #expect(response.status == .ok, "\(response.text)")
        return Fingerprint(of: try ImageDecoder.decode(Array(response.body.readableBytesView)))
    }

    /// The screen's latest heartbeat, as the screen list shows it.
    func heartbeat(_ client: some TestClientProtocol, _ admin: String) async throws -> JSONObject? {
        let screens = try await client.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(admin)"]).object?["screens"]?.arrayValue
        let screen = screens?.compactMap(\.objectValue).first { $0["id"] == .string("astana-1") }
        return screen?["heartbeat"]?.objectValue
    }

    func heartbeatWhenMode(_ client: some TestClientProtocol, _ admin: String, _ mode: String) async throws -> Bool {
        try await waitFor("mode \(mode) reported") { try await heartbeat(client, admin)?["mode"] == .string(mode) }
        return true
    }

    /// Issues a command to all screens; waits for astana-1's acknowledgement.
    func command(_ client: some TestClientProtocol, _ action: String, _ token: String) async throws -> (result: String?, seconds: Double) {
        let started = ContinuousClock.now
        let issued = try await client.json(.post, "/api/v1/commands", #"{"action": "\#(action)", "all": true}"#,
                                           headers: [.authorization: "Bearer \(token)"])
        let ids = (issued.object?["commands"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"]?.integerValue }
        var result: String?
        try await waitFor("\(action) acknowledged") {
            let records = try await client.json(.get, "/api/v1/commands?ids=\(ids.map(String.init).joined(separator: ","))",
                                                headers: [.authorization: "Bearer \(token)"]).object?["commands"]?.arrayValue ?? []
            result = records.compactMap(\.objectValue).first { $0["screen"] == .string("astana-1") }?["result"]?.stringValue
            return result != nil
        }
        return (result, (ContinuousClock.now - started).seconds)
    }

    func fingerprint(of path: String) throws -> Fingerprint {
        Fingerprint(of: try ImageDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
    }
}

/// Polls `condition` every 20 ms for up to `seconds`; fails the test with `what` if it never holds.
func waitFor(_ what: String, seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

enum ProgrammeTestSupport {
    static let font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
}
