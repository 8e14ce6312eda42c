import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SignetCore
import SignetPlayer
import SignetRender
import SignetTUFClient
import UnixSignals

/// `signet fleet-sim`: many simulated players in one process, on the real protocol.
struct FleetSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-sim",
        abstract: "Simulate N players in one process: registered, enrolled, connected, verifying and acknowledging commands, updating.",
        discussion: """
            Each simulated screen has its own device key, channel, command sequence and TUF state; rendering is left
            out unless --render is given (then each heartbeat names the slide and fingerprint of the screen's frame). Screens are registered through the API as PREFIX00001... in --group with an admin's token. The
            server must allow this many enrollments per minute from one address (login_attempts_per_minute).
            Runs until Ctrl-C or SIGTERM.
            """
    )

    @Option(help: "The server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "An admin's API token (or SIGNET_TOKEN).") var token: String?
    @Option(help: "How many players.") var screens: Int
    @Option(help: "Screen id prefix.") var prefix = "sim-"
    @Option(help: "The screens' group.") var group = "sim"
    @Option(help: "Folder for each screen's state (a tmpfs such as /dev/shm suits a large fleet).") var state: String?
    @Option(help: "Seconds between each screen's heartbeats.") var heartbeatSeconds = 10
    @Option(help: "Registrations and connections in flight.") var concurrency = 64
    @Flag(help: "Render each screen's frame for its heartbeats (costly: a renderer per screen).") var render = false
    @Option(help: "Seconds between each screen's proofs of play (0: none).") var playSeconds = 0
    @Option(help: "A file to write the proofs of play made and taken to, as JSON, at the end.") var stats: String?
    @Flag(help: .hidden) var anchor = false  // bench fleet's anchor: plain WebSockets to --server that answer every command
    @Option(help: "The renderer's font, with --render.") var font = ProgrammeFiles.defaultFont

    func run() async throws {
        guard screens >= 1, heartbeatSeconds >= 1, concurrency >= 1 else { throw ValidationError("screens, heartbeat-seconds and concurrency must be positive") }
        if anchor { return try await runAnchorClients() }
        guard let token = token ?? ProcessInfo.processInfo.environment["SIGNET_TOKEN"] else { throw ValidationError("give --token or set SIGNET_TOKEN") }
        let folder = state ?? FileManager.default.temporaryDirectory.appendingPathComponent("signet-fleet-sim-\(UUID().uuidString)").path
        var options = FleetSimulator.Options(server: server.hasSuffix("/") ? String(server.dropLast()) : server, token: token, screens: screens,
                                             folder: folder)
        options.prefix = prefix
        options.group = group
        options.heartbeatInterval = .seconds(heartbeatSeconds)
        options.playInterval = playSeconds > 0 ? .seconds(playSeconds) : nil
        options.concurrency = concurrency
        if render {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: font))
            options.renderer = SlideRenderer(typeface: try Typeface(name: (font as NSString).lastPathComponent, bytes: Array(bytes)))
        }
        var logger = Logger(label: "signet.fleet-sim") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)))
        let simulator = FleetSimulator(options: options, http: http, logger: logger)
        let started = ContinuousClock.now
        let fleet = try await simulator.enroll { status("  enrolled \($0) of \(screens)") }
        try await simulator.connect(fleet) { status("  connected \($0) of \(screens)") }
        let took = ContinuousClock.now - started
        print("fleet-sim ready: \(screens) screens enrolled and connected in \(took.components.seconds) s (state in \(folder))")
        let service = FleetService(simulator: simulator, fleet: fleet)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        if options.playInterval != nil { await simulator.flushPlays(fleet) }
        if let stats {
            let counts = fleet.map(\.playCounts)
            let made = counts.map(\.made).reduce(0, +), stored = counts.map(\.stored).reduce(0, +)
            try AtomicFile.write(JSONWriter.compact.encode(["plays_made": .integer(Int64(made)), "plays_stored": .integer(Int64(stored))]), to: stats)
        }
        for screen in fleet { screen.close() }
        try await http.shutdown()
        if state == nil { try? FileManager.default.removeItem(atPath: folder) }
    }
}

extension FleetSimCommand {
    func runAnchorClients() async throws {
        let sockets = try await FleetAnchor.connectClients(url: server, screens: screens, concurrency: concurrency)
        print("fleet-sim anchor: \(sockets.count) connections")
        let logger = Logger(label: "signet.fleet-sim")
        let group = ServiceGroup(configuration: .init(services: [UntilShutdown()], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        for socket in sockets { socket.close() }
    }
}

/// Runs until the service group shuts down.
struct UntilShutdown: Service {
    func run() async throws { try? await gracefulShutdown() }
}

/// The simulated fleet's heartbeats, until shutdown.
struct FleetService: Service {
    let simulator: FleetSimulator
    let fleet: [SimulatedScreen]

    func run() async throws {
        await cancelWhenGracefulShutdown {
            async let plays: Void = simulator.proofsOfPlay(fleet)
            await simulator.heartbeats(fleet)
            await plays
        }
    }
}
