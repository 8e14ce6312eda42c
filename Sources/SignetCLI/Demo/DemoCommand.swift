import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SignetCore
import SignetPlayer
import SignetRender
import SignetServer
import SignetSystem
import SignetTUFClient
import UnixSignals

/// `signet demo`: a Signet network on this machine. A server on loopback (SQLite in the demo
/// folder), three screens whose players write their frames as PNG files, the state-visit programme
/// approved by 2 of 3 approvers with `signet approve`, the operator's blank and restore, and the
/// attacks Signet exists to stop. It keeps running until Ctrl-C (or stops after the checks with
/// --exit).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a server and three screens on loopback: an approved state-visit programme, commands, attacks refused."
    )

    @Option(help: "Working folder; deleted and recreated.") var dir: String = "demo"
    @Option(help: "The server's port on 127.0.0.1 (0: any free port).") var port = 8080
    @Flag(help: "Stop after the checks instead of running until Ctrl-C.") var exit = false
    @Option(help: "PostgreSQL instead of SQLite: postgres://USER@HOST[:PORT]/DATABASE, an empty one (password in SIGNET_DATABASE_PASSWORD).")
    var database: String?

    /// The demo replays the morning of the state visit in real time: the screens show the city's
    /// usual playlist, and at 06:00 in Astana the state-visit interrupt takes over.
    static let clockStart = Instant(iso8601: "2024-11-27T05:59:45+05:00")!
    static let visitStart = Instant(iso8601: "2024-11-27T06:00:00+05:00")!

    func run() async throws {
        lineBufferStandardOutput()
        let folder = URL(fileURLWithPath: dir).standardizedFileURL.path
        try? FileManager.default.removeItem(atPath: folder)
        try AtomicFile.createDirectory(folder, permissions: 0o700)
        let clock = ShiftedWallClock(start: Self.clockStart)
        let location = try database.map { try DatabaseLocation(url: $0, password: ProcessInfo.processInfo.environment["SIGNET_DATABASE_PASSWORD"]) } ?? .sqlite
        let storage = location == .sqlite ? "SQLite in \(folder)/server" : "\(location)"
        section("1. A Signet server on 127.0.0.1, \(storage); the clock replays \(Self.clockStart) in real time")
        let network = try await DemoNetwork.create(folder: folder, port: port, clock: clock, database: location)
        let script = DemoScript(network: network, folder: folder, clock: clock, exitAfterChecks: exit)
        let logger = Logger(label: "signet.demo") { FileLogHandler(label: $0, path: "\(folder)/logs/demo.log") }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: network.application),
                       .init(service: script, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
        // Once in several runs the server's graceful shutdown did not finish (seen once, not yet
        // explained): after 15 s the group cancels what is left, so the demo always ends.
        configuration.maximumGracefulShutdownDuration = .seconds(15)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
        if let failed = await script.outcome.failed, failed > 0 { throw ExitCode(1) }
    }
}

/// The demo's steps, run once the server is listening; then the players run until shutdown.
struct DemoScript: Service {
    let network: DemoNetwork
    let folder: String
    let clock: ShiftedWallClock
    let exitAfterChecks: Bool
    let outcome = DemoOutcome()

    func run() async throws {
        let server = try await network.address()
        do {
            try await withThrowingDiscardingTaskGroup { group in
                let results = try await steps(server: server, group: &group)
                await outcome.finish(failed: results.filter { !$0.passed }.count)
                section("Summary")
                for result in results { line("\(result.passed ? "PASS" : "FAIL")  \(result.name)") }
                section("Running")
                line("server    \(server)  (accounts and API tokens: \(folder)/accounts.txt)")
                line("screens   \(DemoNetwork.screens.map(\.id).joined(separator: ", ")): frames in \(folder)/frames/*.png, updated as they change")
                line("logs      \(folder)/logs/ (server.log, one per player)")
                line("try       signet blank --all --server \(server) --token $(grep operator \(folder)/accounts.txt | cut -d' ' -f5)")
                if exitAfterChecks {
                    group.cancelAll()
                } else {
                    line("Ctrl-C stops everything.")
                }
            }
        } catch is CancellationError {}
    }

    /// Every step in order; the players are started in `group` and keep running.
    func steps(server: String, group: inout ThrowingDiscardingTaskGroup<any Error>) async throws -> [DemoResult] {
        var results: [DemoResult] = []
        let api = try await network.accounts(server: server)
        try network.writeAccounts(api, to: "\(folder)/accounts.txt")

        section("2. Three screens, each with a player that enrolled with a one-time token and its own device key")
        for player in try await network.startPlayers(api: api, server: server) {
            group.addTask { try await player.run() }
        }

        section("3. The state-visit programme, proposed by the editor and approved by 2 of 3 approvers with `signet approve`")
        let (approved, published, _) = try await network.approveRelease(api: api, server: server, approvals: 2, folder: folder)
        results.append(approved)
        results.append(try await network.waitForRelease(1, api: api, since: published, within: 20))

        section("4. 06:00 in Astana: the state-visit interrupt takes over on the Astana screens")
        results.append(try await network.checkFrames(api: api, at: DemoCommand.visitStart.adding(milliseconds: 3_000), clock: clock,
                                                     folder: folder))

        section("5. A stolen admin account proposes the Ukrainian flag and hands in signatures made with the server's own keys")
        results.append(try await network.stolenAdminAttack(api: api, folder: folder))

        section("6. The operator blanks every screen and restores them; each player acknowledges over its channel")
        results.append(try await network.fleetCommand("blank", api: api, server: server))
        // The operator sees every screen report the blank, and leaves it a second (a frame interval)
        // on the screens, before restoring.
        try await network.waitForMode("blank", api: api, within: 10)
        try await Task.sleep(for: .seconds(1))
        results.append(try await network.fleetCommand("restore", api: api, server: server))

        section("7. A compromised player that renders the Ukrainian flag is told apart by its frame's fingerprint")
        results.append(try network.forgedFrame(folder: folder))

        section("8. Proofs of play: what each screen showed, recorded by its player, signed with its device key and chained")
        results.append(try await network.proofsOfPlay(api: api))

        section("9. The transparency log: every approval, publication, command, acknowledgement and proof of play, checked as an auditor would")
        results.append(try await network.transparencyLog(api: api))

        section("10. Forensics: what astana-1 showed and why, examined from signed evidence with the ceremony's root")
        results.append(try await network.forensics(api: api))
        return results
    }
}

struct DemoResult {
    let name: String
    let passed: Bool
}

actor DemoOutcome {
    private(set) var failed: Int?
    func finish(failed: Int) { self.failed = failed }
}

func section(_ title: String) { print("\n\(title)") }
func line(_ text: String) { print("  \(text)") }

func readFile(_ path: String) throws -> [UInt8] {
    guard let bytes = try AtomicFile.read(path) else { throw TUFError(.storage, "\(path) does not exist") }
    return bytes
}
