import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SignetCore
import SignetOutput
import SignetPlayer
import SignetRender
import SignetSystem
import SignetTUFClient
import Testing

@testable import SignetServer

/// A real server on loopback with the state-visit programme's screens registered and release 1
/// (programme v1) approved by two approvers: what the player tests run against.
struct LiveNetwork: Sendable {
    let fixture: ServerFixture
    let client: any TestClientProtocol
    let server: String
    let editor: String
    let admin: String
    let approver: String
    let operating: String

    var data: String { fixture.config.dataDirectory }
    var editing: HTTPFields { [.authorization: "Bearer \(editor)"] }

    static func run(clock: MovableClock = MovableClock(), store: ServerStore? = nil, _ body: @Sendable (LiveNetwork) async throws -> Void)
        async throws
    {
        var configured = try await ServerFixture.withRepository(clock: clock, store: store)
        configured.config.host = "127.0.0.1"
        configured.config.port = 0
        let fixture = configured
        defer { try? FileManager.default.removeItem(atPath: fixture.config.dataDirectory) }
        let app = buildApplication(config: fixture.config, store: fixture.store, clock: fixture.clock, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let (editor, admin) = try await ServerProgrammeTests().prepare(client)
            let network = LiveNetwork(fixture: fixture, client: client, server: "http://127.0.0.1:\(try #require(client.port))", editor: editor,
                                      admin: admin, approver: try await client.token(for: "approver"),
                                      operating: try await client.token(for: "operator"))
            try await network.release(ServerProgrammeTests.document)
            try await body(network)
        }
    }

    /// Saves `document` as the next programme and has two approvers sign its release.
    func release(_ document: String) async throws {
        #expect(try await client.json(.put, "/api/v1/programme", document, headers: editing).status == .created)
        let proposal = try #require(try await client.json(.post, "/api/v1/releases", headers: editing).object)
        let id = try #require(proposal["id"]?.integerValue)
        for index in 1...2 {
            let signed = try await client.json(.post, "/api/v1/releases/\(id)/signatures",
                                               try approval(try keyFile("\(data)/offline/approver-\(index).key"), of: proposal),
                                               headers: [.authorization: "Bearer \(approver)"])
            #expect(signed.status == .ok, "\(signed.text)")
        }
    }

    func enrollmentToken(_ screen: String = "astana-1") async throws -> String {
        try #require(try await client.json(.post, "/api/v1/screens/\(screen)/enrollment", headers: [.authorization: "Bearer \(admin)"])
            .object?["token"]?.stringValue)
    }

    var root: [UInt8] { get throws { try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json")) } }

    func enroll(folder: String, screen: String = "astana-1") async throws -> DeviceIdentity {
        try await DeviceIdentity.enroll(server: server, token: try await enrollmentToken(screen), trustedRoot: try root, folder: folder)
    }

    /// A player configuration with test timings: frames to `folder/frame.png`.
    static func configuration(_ folder: String) -> PlayerConfiguration {
        var configuration = PlayerConfiguration(folder: folder, outputs: [.png(path: "\(folder)/frame.png")], fontPath: ServerConfig().fontPath)
        configuration.pollInterval = .seconds(60)
        configuration.heartbeatInterval = .milliseconds(200)
        configuration.frameInterval = .milliseconds(50)
        // Thumbnails only when a screenshot command asks, so that a test can tell it was the command.
        configuration.thumbnailInterval = nil
        return configuration
    }

    /// The screen's latest heartbeat, as the screen list shows it.
    func heartbeat(_ screen: String = "astana-1") async throws -> JSONObject? {
        let screens = try await client.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(admin)"]).object?["screens"]?.arrayValue
        return screens?.compactMap(\.objectValue).first { $0["id"] == .string(screen) }?["heartbeat"]?.objectValue
    }

    /// The approved frame of astana-1 at the fixture's time, as the server previews it.
    func preview(at instant: Instant) async throws -> Fingerprint {
        let response = try await client.json(.get, "/api/v1/screens/astana-1/preview?at=\(instant.iso8601)", headers: editing)
        #expect(response.status == .ok, "\(response.text)")
        return Fingerprint(of: try ImageDecoder.decode(Array(response.body.readableBytesView)))
    }

    /// Issues a command to all screens; waits for astana-1's acknowledgement.
    func command(_ action: String) async throws -> (result: String?, seconds: Double) {
        let started = ContinuousClock.now
        let issued = try await client.json(.post, "/api/v1/commands", #"{"action": "\#(action)", "all": true}"#,
                                           headers: [.authorization: "Bearer \(operating)"])
        let ids = (issued.object?["commands"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"]?.integerValue }
        var result: String?
        try await waitFor("\(action) acknowledged") {
            result = try await commandResults(ids)["astana-1"]
            return result != nil
        }
        return (result, (ContinuousClock.now - started).seconds)
    }

    /// Each screen's recorded result for the commands `ids`.
    func commandResults(_ ids: [Int64]) async throws -> [String: String] {
        let records = try await client.json(.get, "/api/v1/commands?ids=\(ids.map(String.init).joined(separator: ","))",
                                            headers: [.authorization: "Bearer \(operating)"]).object?["commands"]?.arrayValue ?? []
        var results: [String: String] = [:]
        for record in records.compactMap(\.objectValue) {
            if let screen = record["screen"]?.stringValue, let result = record["result"]?.stringValue { results[screen] = result }
        }
        return results
    }
}

func fingerprint(of path: String) throws -> Fingerprint {
    Fingerprint(of: try ImageDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
}

/// Polls `condition` every 20 ms for up to `seconds`; fails the test with `what` if it never holds.
/// (30 s: the live suites run debug players beside each other on two cores.)
func waitFor(_ what: String, seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
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

func temporaryFolder(_ name: String) -> String { NSTemporaryDirectory() + "signet-\(name)-\(UUID().uuidString)" }

/// Runs the real `signet` binary with `arguments` (and `input` on its standard input): its exit
/// code and everything it printed. It waits on a thread of its own: the test's server runs on the
/// cooperative pool (two threads on two cores), which a blocking wait there would starve.
func runSignet(_ arguments: [String], input: String = "") async throws -> (code: Int32, output: String) {
    let command = ([PlayerFaultTests.signet] + arguments).map { "'\($0)'" }.joined(separator: " ")
    let bytes: [UInt8] = try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try ChildProcess("/bin/sh", ["-c", "echo '\(input)' | \(command) 2>&1; echo \"exit $?\""]).finish() })
        }
    }
    let output = String(decoding: bytes, as: UTF8.self)
    return (Int32(output.split(separator: "\n").last?.split(separator: " ").last ?? "") ?? -1, output)
}
