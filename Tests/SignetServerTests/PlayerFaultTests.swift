import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SignetCore
import SignetPlayer
import SignetRender
import SignetSystem
import SignetTUFClient
import Synchronization
import Testing

@testable import SignetServer

/// What goes wrong in the field: a player killed mid-update, a server that disappears, a wrong
/// clock, and commands or reports that an attacker replays or forges.
@Suite("Player faults: killed mid-update, server gone, clock skew, replayed and forged commands, forged heartbeats")
struct PlayerFaultTests {
    /// The `signet` executable beside the test bundle (built with the tests).
    static var signet: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("signet").path
    }

    /// A programme that needs a file the player does not have yet: the flag re-encoded (other
    /// bytes, other sha256), uploaded, and named in place of the original.
    func programmeWithNewAsset(_ network: LiveNetwork) async throws -> String {
        let original = HashAlgorithm.digest("sha256", of: ServerProgrammeTests.flag)!
        var canvas = try ImageDecoder.decode(ServerProgrammeTests.flag)
        canvas.pixels[0] ^= 1
        let bytes = try PNGEncoder.encode(canvas)
        let upload = try await network.client.execute(uri: "/api/v1/assets?name=flag-2.png", method: .post, headers: network.editing,
                                                      body: ByteBuffer(bytes: bytes))
        #expect(upload.status == .created)
        return ServerProgrammeTests.document.replacingOccurrences(of: original, with: HashAlgorithm.digest("sha256", of: bytes)!)
    }

    @Test func aPlayerKilledDuringADownloadOrTheSwitchRestartsWithAWholeProgramme() async throws {
        let folder = temporaryFolder("player-kill")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(FileManager.default.isExecutableFile(atPath: Self.signet), "\(Self.signet) is built with the tests")
        try await LiveNetwork.run(clock: .system()) { network in
            let token = try await network.enrollmentToken()
            try AtomicFile.createDirectory(folder)
            try AtomicFile.write(try network.root, to: "\(folder)/root.json")
            func start(_ extra: [String]) throws -> ChildProcess {
                let arguments = ["player", "--dir", "\(folder)/player", "--output", "png:\(folder)/frame.png", "--frame-milliseconds", "100",
                                 "--heartbeat-seconds", "1", "--poll-seconds", "1"] + extra
                let command = ([Self.signet] + arguments).map { "'\($0)'" }.joined(separator: " ")
                return try ChildProcess("/bin/sh", ["-c", "exec \(command) 2>>'\(folder)/player.log'"], captureOutput: false)
            }
            func reportedRelease() async throws -> Int64? { try await network.heartbeat()?["release"]?.integerValue }

            // Release 1 on screen, then the player stops.
            var player = try start(["--server", network.server, "--enroll", token, "--root", "\(folder)/root.json"])
            try await waitFor("release 1 reported") { try await reportedRelease() == 1 }
            player.stop()

            // Release 2 needs a new asset. The player is killed (SIGKILL) first with the programme
            // document stored and the asset not, then with everything stored and the pointer not yet replaced.
            try await network.release(try await programmeWithNewAsset(network))
            for stage in ReleaseSync.Stage.allCases {
                player = try start(["--fault-pause", stage.rawValue])
                try await waitFor("the pause at \(stage.rawValue)") {
                    String(decoding: (try? AtomicFile.read("\(folder)/player.log")) ?? [], as: UTF8.self).contains("fault pause at \(stage.rawValue)")
                }
                kill(player.pid, SIGKILL)
                while player.isRunning { try await Task.sleep(for: .milliseconds(10)) }
                try AtomicFile.write([], to: "\(folder)/player.log")
                // What survives is release 1, whole: the pointer, and every file it names, verified.
                let cache = try ContentCache(folder: "\(folder)/player/cache")
                #expect(cache.current()?.current.release == 1, "after a kill at \(stage.rawValue)")
            }
            // Restarted normally, it plays release 1 at once and then takes release 2.
            player = try start([])
            defer { player.stop() }
            try await waitFor("release 2 after the restart") { try await reportedRelease() == 2 }
            let expected = try await network.preview(at: network.fixture.clock.now())
            try await waitFor("the approved frame") { (try? fingerprint(of: "\(folder)/frame.png"))?.matches(expected) == true }
        }
    }

    @Test func withTheServerGoneThePlayerKeepsPlayingThenShowsTheSafeSlide() async throws {
        let folder = temporaryFolder("player-offline")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let clock = MovableClock()
        let started = Mutex<(running: Task<Void, any Error>?, safe: Fingerprint?)>((nil, nil))
        try await LiveNetwork.run(clock: clock) { network in
            var configuration = LiveNetwork.configuration(folder)
            configuration.pollInterval = .milliseconds(300)
            configuration.offlineGraceMilliseconds = 3_000
            let player = Player(identity: try await network.enroll(folder: folder), configuration: configuration, clock: clock,
                                logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            started.withLock { $0.running = running }
            try await waitFor("release 1 reported") { try await network.heartbeat()?["release"] == .integer(1) }
            let document = try #require(try await network.fixture.store.latestProgramme()).document
            var frames = ScreenFrames(engine: try ScheduleEngine(programme: try Programme(bytes: document), screen: "astana-1"),
                                      renderer: SlideRenderer(typeface: try Typeface(name: "DejaVuSans.ttf", bytes: Array(try Data(
                                          contentsOf: URL(fileURLWithPath: network.fixture.config.fontPath))))),
                                      asset: { $0 == HashAlgorithm.digest("sha256", of: ServerProgrammeTests.flag) ? ServerProgrammeTests.flag : nil })
            let safe = Fingerprint(of: try Playout.frame(.safeSlide(reason: "test"), frames: &frames, state: ControlState(), at: clock.now()).canvas)
            started.withLock { $0.safe = safe }
        }
        let (running, safe) = started.withLock { $0 }
        defer { running?.cancel() }
        // The server is gone. The player keeps the approved programme for the grace period...
        let frame = "\(folder)/frame.png"
        let playing = try fingerprint(of: frame)
        #expect(playing != safe)
        clock.advance(milliseconds: 1_000)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try fingerprint(of: frame) == playing)
        // ...then shows the signed safe slide, not black and not stale content.
        clock.advance(milliseconds: 5_000)
        try await waitFor("the safe slide") { (try? fingerprint(of: frame)) == safe }
        // What it showed while the server was away stays on its disk, chained, until a server takes it.
        try await waitFor("the programme's proof of play kept on disk") {
            let saved = try AtomicFile.read("\(folder)/proof-of-play.json").map { try JSONParser().parse($0) }
            let pending = try (saved?.objectValue?["pending"]?.arrayValue ?? []).map { value throws(PlayProofError) in try PlayRecord(json: value) }
            return pending.contains { $0.mode == .programme && $0.release == 1 && $0.fingerprint.flatMap(Fingerprint.init)?.matches(playing) == true }
                && saved?.objectValue?["open"]?.objectValue?["mode"] == .string("safe")
        }
    }

    @Test func aPlayerWhoseClockIsOffIsRefusedAndSaysWhy() async throws {
        let folder = temporaryFolder("player-skew")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveNetwork.run { network in
            // The device's clock is 5 minutes ahead of the server's.
            let skewed = MovableClock(start: network.fixture.clock.now().millisecondsSince1970 + 300_000)
            let identity = try await network.enroll(folder: folder)
            let player = Player(identity: identity, configuration: LiveNetwork.configuration(folder), clock: skewed, logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            defer { running.cancel() }
            // Updates need no device signature (everything in them is verified): the programme plays.
            let expected = try await network.preview(at: network.fixture.clock.now())
            try await waitFor("the approved frame") { (try? fingerprint(of: "\(folder)/frame.png"))?.matches(expected) == true }
            // But the server takes nothing signed with the skewed time: no channel, no heartbeat.
            try await waitFor("refusals counted as skewed") {
                let metrics = try await network.client.json(.get, "/metrics", headers: [.authorization: "Bearer \(network.admin)"]).text
                return metrics.contains(#"signet_device_requests_refused_total{reason="skewed"}"#)
            }
            #expect(try await network.heartbeat() == nil)
            // The answer names the cause.
            await #expect(throws: DeviceClient.Refused(status: 401, message: "device request: the device clock is 300 s from the server's (at most 60 s)")) {
                try await DeviceClient(identity: identity, clock: skewed).heartbeat(Heartbeat(uptimeSeconds: 1))
            }
        }
    }

    @Test func replayedAndForgedCommandsAreRefusedAndReported() async throws {
        let folder = temporaryFolder("player-commands")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveNetwork.run { network in
            let clock = network.fixture.clock
            let identity = try await network.enroll(folder: folder)
            func start() -> Task<Void, any Error> {
                let player = Player(identity: identity, configuration: LiveNetwork.configuration(folder), clock: clock, logger: Logger(label: "player"))
                return Task { try await player.run() }
            }
            var running = start()
            try await waitFor("release 1 reported") { try await network.heartbeat()?["release"] == .integer(1) }
            #expect(try await network.command("blank").result == "done")
            #expect(try await network.command("restore").result == "done")
            running.cancel()
            try await Task.sleep(for: .milliseconds(200))

            // An attacker with the database queues the captured blank again, and a blank signed
            // with a key of its own; the server hands both to the player when it reconnects.
            let store = network.fixture.store
            let captured = try #require(try await store.commands(ids: [1]).first)
            #expect(captured.action == "blank" && captured.screen == "astana-1")
            let foreignKey = try SigningKey.generate()
            let expires = clock.now().adding(milliseconds: 60_000)
            let queued = try await store.issueCommands(screens: ["astana-1", "astana-1"], by: "attacker", at: clock.now(), expires: expires) { _, sequence, id in
                if sequence == 3 { return ("blank", captured.signed) }
                let forged = try SignedCommandBatch([Command(action: .blank, screen: "astana-1", sequence: sequence, id: id, issuedBy: "operator",
                                                             expires: expires.tufTime)], key: foreignKey)
                return ("blank", forged.document(at: 0))
            }
            running = start()
            defer { running.cancel() }
            // The forged one is refused and reported against its own id, with the reason.
            var results: [String: String] = [:]
            try await waitFor("the forged command's refusal") {
                results = try await network.commandResults([queued[1].id])
                return results["astana-1"] != nil
            }
            #expect(results["astana-1"]?.hasPrefix("refused: command refused: not signed by the commands key the root names") == true,
                    "\(results)")
            // The replay carries the old command's id, already acknowledged: the player refuses it
            // (its log says so) and the screen stays as the operator left it.
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await network.heartbeat()?["mode"] == .string("programme"))
            let state = try ControlStore(path: "\(folder)/control.json").load()
            #expect(state.mode == .programme && state.lastSequence == 2)
        }
    }

    @Test func aDeviceCannotSpeakForAnotherScreenNorAnOldKeyAfterReenrollment() async throws {
        let folder = temporaryFolder("player-identity")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveNetwork.run { network in
            let astana1 = try await network.enroll(folder: folder)
            _ = try await network.enroll(folder: folder + "-2", screen: "astana-2")
            defer { try? FileManager.default.removeItem(atPath: folder + "-2") }
            // astana-1's device signs a heartbeat and a channel request as astana-2.
            let impostor = DeviceIdentity(screen: "astana-2", server: network.server, key: astana1.key)
            await #expect(throws: DeviceClient.Refused(status: 401, message: "device request: the signature does not verify with the screen's enrolled key")) {
                try await DeviceClient(identity: impostor, clock: network.fixture.clock).heartbeat(Heartbeat(slide: "ukraine", uptimeSeconds: 1))
            }
            let url = URL(string: network.server)!
            await #expect(throws: DeviceSocket.Failure.self) {
                try await DeviceClient(identity: impostor, clock: network.fixture.clock).openChannel(host: url.host!, port: url.port!) { _, _ in }
            }
            #expect(try await network.heartbeat("astana-2") == nil)

            // A screen enrolled again (its old device stolen, say): the old key's open channel is closed at once.
            let socket = try await DeviceClient(identity: astana1, clock: network.fixture.clock).openChannel(host: url.host!, port: url.port!) { _, _ in }
            _ = try await network.enroll(folder: folder + "-3")
            defer { try? FileManager.default.removeItem(atPath: folder + "-3") }
            let closed = Flag()
            let watching = Task {
                await socket.closed()
                closed.set()
            }
            defer { watching.cancel() }
            try await waitFor("the old channel closed", seconds: 5) { closed.isSet }
        }
    }
}

/// A flag one task sets and another polls.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
