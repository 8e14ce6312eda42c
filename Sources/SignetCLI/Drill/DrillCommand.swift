import ArgumentParser
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SignetCore
import SignetServer
import SignetSystem
import SignetTUFClient
import UnixSignals

/// `signet drill`: incident drills on loopback.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Run an incident drill on loopback: attacks and faults against a screen, with what it showed and the evidence.",
        subcommands: [AstanaDrillCommand.self]
    )
}

/// `signet drill astana`: the 2024 incident and its neighbours, one after another, against one
/// roadside screen showing the state-visit programme; a table of what each did to the screen.
/// Exits non-zero if the screen's player ever output a frame that no release approved, or if a
/// scenario's detection, containment or forensics is not what promise S5 asks.
struct AstanaDrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "astana",
        abstract: "The state-visit screen against a stolen admin, stolen online keys, rollback, freeze, a compromised controller, a cable fault and a replayed blank."
    )

    @Option(help: "Working folder; deleted and recreated.") var dir = "drill"

    /// The morning of the state visit, Astana time: the screen shows the city's playlist until the
    /// state-visit release is approved, then the welcome with the Russian flag.
    static let clockStart = Instant(iso8601: "2024-11-27T06:00:02+05:00")!

    func run() async throws {
        lineBufferStandardOutput()
        let folder = URL(fileURLWithPath: dir).standardizedFileURL.path
        try? FileManager.default.removeItem(atPath: folder)
        try AtomicFile.createDirectory(folder, permissions: 0o700)
        let clock = SteppedWallClock(start: Self.clockStart)
        section("Setting up: a server on 127.0.0.1 (SQLite in \(folder)/server), one screen, its LED controller and a repository mirror")
        // Timestamps live a minute (re-signed every 20 s): the freeze scenario's window.
        let network = try await DemoNetwork.create(folder: folder, port: 0, clock: clock) { config in
            config.timestampMinutes = 1
            // The freeze scenario moves the clock on a minute: not a silent screen.
            config.offlineAfterSeconds = 300
        }
        let mirror = DrillMirror(origin: network.listening), mirrorPort = ListeningPort()
        let script = AstanaDrill(network: network, folder: folder, clock: clock, mirror: mirror, mirrorPort: mirrorPort)
        let logger = Logger(label: "signet.drill") { FileLogHandler(label: $0, path: "\(folder)/logs/drill.log") }
        let mirrorApplication = mirror.application(logger: logger) { await mirrorPort.set($0.localAddress?.port ?? 0) }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: network.application), .init(service: mirrorApplication),
                       .init(service: script, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(15)
        try await ServiceGroup(configuration: configuration).run()
        guard let passed = await script.outcome.failed.map({ $0 == 0 }), passed else { throw ExitCode(1) }
    }
}
