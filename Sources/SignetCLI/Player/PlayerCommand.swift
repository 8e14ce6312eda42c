import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import SignetCore
import SignetOutput
import SignetPlayer
import SignetSystem
import SignetTUFClient
import UnixSignals

/// `signet player`: the daemon on a screen's computer.
struct PlayerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "player",
        abstract: "Run a screen's player: verified updates, playout to its outputs, signed commands, heartbeats.",
        discussion: """
            First run: signet player --dir DIR --server URL --enroll TOKEN --root ROOT.json --output png:frame.png
            (TOKEN from POST /api/v1/screens/ID/enrollment; ROOT.json is the network's TUF root, given out of band).
            Later runs need only --dir and the outputs. The player opens one outbound channel to the server and
            listens on no port. Ctrl-C or SIGTERM stops it cleanly.
            """
    )

    @Option(help: "The player's folder: its device key (0600), trusted metadata, cache and state.") var dir: String
    @Option(help: "The server, e.g. http://127.0.0.1:8080 (with --enroll).") var server: String?
    @Option(help: "A one-time enrollment token: makes a device key here and registers it for the token's screen.") var enroll: String?
    @Option(help: "The network's trusted TUF root (with --enroll).") var root: String?
    @Option(name: .customLong("output"), help: "Where frames go (repeat): png:PATH, command:CMD, fb:..., ddp://, sacn://, artnet://.")
    var outputs: [String] = []
    @Option(help: "The renderer's font.") var font = ProgrammeFiles.defaultFont
    @Option(help: "Seconds between TUF refreshes (and command polls while the channel is down).") var pollSeconds = 30
    @Option(help: "Seconds between heartbeats.") var heartbeatSeconds = 10
    @Option(help: "Milliseconds between frames.") var frameMilliseconds = 1000
    @Option(help: "Seconds between thumbnails for the console's wall, each sent only when the picture changed (0: only on a screenshot command).")
    var thumbnailSeconds = 60
    @Option(help: "Hours without a verified update before the safe slide shows.") var offlineGraceHours = 168
    @Option(help: "The most the verified cache may hold, in MiB.") var cacheMegabytes = 2048
    @Option(help: "Log level: debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "Where the player sees its screen, to check it shows what was output: command:WIDTHxHEIGHT:CMD (raw RGB24 frames on its standard output, e.g. ffmpeg reading a capture card) or images:PATH[,PATH...].")
    var capture: String?
    @Option(help: "A mirror of the server's repository (URL holding metadata/ and targets/): releases are read there and verified as ever.")
    var repository: String?
    @Option(help: "Milliseconds between capture checks.") var captureMilliseconds = 100
    @Option(help: "Mismatching checks after re-outputting the approved frame before the safe slide (and after the safe slide before black).")
    var containAfter = 3
    @Option(help: "Seconds a contained screen waits before trying the approved programme again (doubling while it still fails).")
    var retrySeconds = 60
    @Option(help: .hidden) var faultPause: String?

    func validate() throws {
        guard (enroll == nil) == (server == nil), (enroll == nil) == (root == nil) else {
            throw ValidationError("--enroll, --server and --root go together")
        }
        guard pollSeconds >= 1, heartbeatSeconds >= 1, frameMilliseconds >= 10, thumbnailSeconds >= 0, offlineGraceHours >= 0, cacheMegabytes >= 1,
              captureMilliseconds >= 10, containAfter >= 1, retrySeconds >= 1 else {
            throw ValidationError("intervals and counts must be positive")
        }
        if let capture {
            do { _ = try CaptureSource(capture) } catch { throw ValidationError("--capture: \(error)") }
        }
    }

    func run() async throws {
        tuneMallocForLargeBuffers()
        let addresses = try outputs.map { text throws(OutputError) in try OutputAddress(text) }
        var logger = Logger(label: "signet.player") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let identity: DeviceIdentity
        if let enroll, let server, let root {
            guard let rootBytes = try AtomicFile.read(root, maxBytes: 1 << 20) else { throw CLIError("\(root) does not exist") }
            identity = try await DeviceIdentity.enroll(server: server.hasSuffix("/") ? String(server.dropLast()) : server, token: enroll,
                                                       trustedRoot: rootBytes, folder: dir)
            status("enrolled for screen \(identity.screen) at \(identity.server); device key \(identity.key.keyID.prefix(16)) in \(dir)/device.key")
        } else {
            guard let saved = try DeviceIdentity.load(folder: dir) else {
                throw CLIError("\(dir) holds no enrolled player: run with --server, --enroll and --root first")
            }
            identity = saved
        }
        var configuration = PlayerConfiguration(folder: dir, outputs: addresses, fontPath: font)
        configuration.pollInterval = .seconds(pollSeconds)
        configuration.heartbeatInterval = .seconds(heartbeatSeconds)
        configuration.frameInterval = .milliseconds(frameMilliseconds)
        configuration.thumbnailInterval = thumbnailSeconds == 0 ? nil : .seconds(thumbnailSeconds)
        configuration.offlineGraceMilliseconds = Int64(offlineGraceHours) * 3_600_000
        configuration.cacheQuotaBytes = Int64(cacheMegabytes) << 20
        configuration.capture = try capture.map(CaptureSource.init)
        configuration.repository = repository.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        configuration.captureInterval = .milliseconds(captureMilliseconds)
        configuration.containment.persistChecks = containAfter
        configuration.containment.retryAfterMilliseconds = Int64(retrySeconds) * 1000
        if let faultPause {
            guard let stage = ReleaseSync.Stage(rawValue: faultPause) else { throw ValidationError("--fault-pause: download or switch") }
            configuration.faultPause = stage
        }
        let player = Player(identity: identity, configuration: configuration, logger: logger)
        status("player for screen \(identity.screen): server \(identity.server), outputs \(outputs.isEmpty ? "none" : outputs.joined(separator: " ")); Ctrl-C stops it")
        let group = ServiceGroup(configuration: .init(services: [player], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
