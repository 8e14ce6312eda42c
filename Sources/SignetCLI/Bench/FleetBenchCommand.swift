import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SignetCore
import SignetServer
import SignetSystem
import SignetTUFClient

/// `signet bench fleet`: a real server in this process (SQLite on disk) and `signet fleet-sim` in
/// another, on loopback: how long a fleet-wide command takes to be acknowledged by every screen,
/// how long a published release takes to be reported by every screen, and how much memory the
/// server, the simulator and one real 1080p player use.
struct FleetBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Fleet-wide command to last acknowledgement, release to last report, and memory: server, simulated fleet, a 1080p player."
    )

    @Option(help: "Simulated screens for the commands.") var screens = 10_000
    @Option(help: "Simulated screens for the releases.") var releaseScreens = 1_000
    @Option(help: "Fleet-wide commands to time (blank and restore in turn).") var commands = 20
    @Option(help: "Releases to time.") var releases = 3
    @Flag(help: "Print the result as JSON.") var json = false
    @Option(help: "Server replicas sharing --database (PostgreSQL): the first in this process, each other in a process of its own.") var replicas = 1
    @Option(help: "Minutes of soak after the commands: every screen's heartbeats and proofs of play (each every 60 s), the server's memory read each minute.")
    var soakMinutes = 0
    @Option(help: "PostgreSQL instead of SQLite: postgres://USER@HOST[:PORT]/DATABASE (a schema of its own is made and dropped; password in SIGNET_DATABASE_PASSWORD).")
    var database: String?

    func run() async throws {
        guard screens >= 1, releaseScreens >= 1, commands >= 1, releases >= 1, replicas >= 1 else { throw ValidationError("all counts must be positive") }
        // A socket per screen in each replica's process and in each simulator (which inherit the
        // limit), and files: 20,000 screens in one process crashed the server at this machine's
        // hard limit of 20,000, which a container's root cannot raise (libdispatch traps when it
        // cannot open a descriptor). Hence a process per replica.
        let perProcess = (max(screens, releaseScreens) + replicas - 1) / replicas
        let files = FileLimit.raise(to: 2 * perProcess + 8_192)
        guard files >= perProcess + 1_024 else {
            throw ValidationError("\(perProcess) screens per replica need more open files than a process may have (\(files)); raise ulimit -n or add --replicas")
        }
        let location = try database.map { try DatabaseLocation(url: $0, password: ProcessInfo.processInfo.environment["SIGNET_DATABASE_PASSWORD"]) } ?? .sqlite
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bench-fleet-\(UUID().uuidString)").path
        // Thousands of simulated players keep their trusted metadata and caches on a tmpfs if there is one.
        let shared = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/signet-bench-fleet-\(UUID().uuidString)" : "\(work)/sim"
        try AtomicFile.createDirectory(work)
        defer {
            try? FileManager.default.removeItem(atPath: work)
            try? FileManager.default.removeItem(atPath: shared)
        }
        var logger = Logger(label: "signet.bench")
        logger.logLevel = .error
        let server = try await FleetBenchServer.start(folder: work, replicas: replicas, database: location, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server.application], logger: logger))
        var report = FleetBenchReport(screens: screens, releaseScreens: releaseScreens, replicas: replicas, database: location)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let bench = FleetBenchRun(server: server, bases: try await server.bases(), http: HTTPClient.shared)

            status("commands: \(screens) simulated screens register, enroll and connect …")
            var fleet = try bench.startFleet(screens: screens, prefix: "cmd-", state: "\(shared)/commands", playSeconds: soakMinutes > 0 ? 60 : 0)
            try await bench.waitConnected(screens, fleet: fleet)
            report.commandSeconds = try await bench.timeCommands(commands, screens: screens)
            report.replicaKB = server.pids.map { Memory.residentKB(of: $0) }
            report.fleetKB = fleet.residentKB
            if soakMinutes > 0 {
                status("soak: \(soakMinutes) minutes of heartbeats (every 10 s) and proofs of play (every 60 s) from \(screens) screens …")
                report.soak = try await bench.soak(minutes: soakMinutes, fleet: fleet)
            }
            fleet.stop()
            try await bench.waitConnected(0, fleet: nil)

            status("anchor: the same documents from a minimal Hummingbird WebSocket server to \(report.anchorScreens) plain connections …")
            report.anchorSeconds = try await bench.timeAnchor(commands, screens: report.anchorScreens, logger: logger)

            status("releases: \(releaseScreens) simulated screens and one real player at 1920x1080 …")
            fleet = try bench.startFleet(screens: releaseScreens, prefix: "rel-", state: "\(shared)/releases")
            defer { fleet.stop() }
            try await bench.waitConnected(releaseScreens, fleet: fleet)
            report.releaseSeconds = try await bench.timeReleases(releases, screens: releaseScreens, folder: work)
            // The real player starts after the timing (its heartbeats would not be prompt enough to
            // count), takes the last release and plays it for a while at 4 frames a second.
            let player = try await bench.startPlayer(folder: "\(work)/player")
            defer { player.stop() }
            try await Task.sleep(for: .seconds(10))
            report.playerKB = Memory.peakKB(of: player.pid)
            report.playerFrames = (try? AtomicFile.read("\(work)/player/frame.png")) != nil
            if !report.playerFrames || report.playerKB == 0 {
                let log = String(decoding: (try? AtomicFile.read("\(work)/player/player.log")) ?? [], as: UTF8.self)
                status("the 1080p player did not play; the end of its log:\n" + log.split(separator: "\n").suffix(8).joined(separator: "\n"))
            }
            await group.triggerGracefulShutdown()
        }
        await server.cleanUp()
        print(json ? report.json : report.text)
    }
}

/// Resident memory from /proc.
enum Memory {
    static func field(_ name: String, of pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }

    static func residentKB(of pid: pid_t) -> Int { field("VmRSS", of: pid) }
    static func peakKB(of pid: pid_t) -> Int { field("VmHWM", of: pid) }
}

struct FleetBenchReport {
    let screens: Int
    let releaseScreens: Int
    var replicas = 1
    var database = DatabaseLocation.sqlite
    var commandSeconds: [Double] = []
    var anchorSeconds: [Double] = []
    /// The anchor's connections: one replica's share (one process holds at most that many here).
    var anchorScreens: Int { (screens + replicas - 1) / replicas }
    var releaseSeconds: [Double] = []
    /// Each replica's, with the fleet connected.
    var replicaKB: [Int] = []
    var serverKB: Int { replicaKB.reduce(0, +) }
    var fleetKB = 0
    var playerKB = 0
    var playerFrames = false
    var soak: SoakResult?

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    var text: String {
        func ms(_ seconds: Double) -> String { String(format: "%7.0f ms", seconds * 1000) }
        let c = commandSeconds, r = releaseSeconds, a = anchorSeconds
        return """
            signet bench fleet (\(replicas > 1 ? "\(replicas) server replicas, a process each" : "one server process"), \
            \(database == .sqlite ? "SQLite" : "PostgreSQL"); \(replicas > 1 ? "a simulator process per replica, the screens spread over them" : "one simulator process"); \
            all on these cores)
            fleet-wide command to the last of \(screens) acknowledgements, \(c.count) commands:
              p50 \(ms(Self.percentile(c, 0.5)))   p99 \(ms(Self.percentile(c, 0.99)))   max \(ms(c.max()!))   (target: max under 1000 ms)
            anchor, the same documents from a minimal Hummingbird WebSocket server to \(anchorScreens) connections\
            \(replicas > 1 ? " (one replica's share)" : "") that only answer (no accounts, database, signing or checks), \(a.count) rounds:
              p50 \(ms(Self.percentile(a, 0.5)))   p99 \(ms(Self.percentile(a, 0.99)))   max \(ms(a.max()!))   \
            Signet's p50 is \(String(format: "%.2f", Self.percentile(c, 0.5) / Self.percentile(a, 0.5))) times the anchor's
            release publication to the last of \(releaseScreens) screens reporting it, \(r.count) releases:
              p50 \(ms(Self.percentile(r, 0.5)))   max \(ms(r.max()!))   (target: under 5000 ms)
            resident memory: server \(replicaKB.map { "\($0 / 1024) MB" }.joined(separator: " + ")) with \(screens) channels; simulator \(fleetKB / 1024) MB for \(screens) players \
            (\(fleetKB / max(screens, 1)) KB each); one real player at 1920x1080, peak \(playerKB / 1024) MB (target: under 64 MB)\
            \(playerFrames ? "" : " NO FRAMES WRITTEN")
            \(soakText)
            """
    }

    var soakText: String {
        guard let soak, let first = soak.serverKB.first, let last = soak.serverKB.last else { return "" }
        let replicas = soak.replicaGrowth.count > 1
            ? " (each replica: " + soak.replicaGrowth.map { String(format: "%.1f%%", $0 * 100) }.joined(separator: ", ") + ")" : ""
        return "soak, \(soak.minutes) minutes: server resident memory \(first / 1024) MB after the first minute, "
            + "\(soak.serverKB.dropFirst().first.map { $0 / 1024 } ?? first / 1024) MB after the second, \(last / 1024) MB at the end "
            + "(growth \(String(format: "%.1f%%", soak.growth * 100)) from the second\(replicas); target: under 5%); "
            + "proofs of play: \(soak.made) made, \(soak.taken) taken, \(soak.stored) stored, \(soak.made - soak.stored) lost"
    }

    var json: String {
        func ms(_ seconds: Double) -> JSONValue { .integer(Int64((seconds * 1000).rounded())) }
        return JSONWriter.pretty.string(.object([
            "screens": .integer(Int64(screens)), "release_screens": .integer(Int64(releaseScreens)),
            "command_p50_ms": ms(Self.percentile(commandSeconds, 0.5)), "command_p99_ms": ms(Self.percentile(commandSeconds, 0.99)),
            "command_max_ms": ms(commandSeconds.max()!), "anchor_p50_ms": ms(Self.percentile(anchorSeconds, 0.5)),
            "anchor_max_ms": ms(anchorSeconds.max()!),
            "command_p50_vs_anchor": .string(String(format: "%.2f", Self.percentile(commandSeconds, 0.5) / Self.percentile(anchorSeconds, 0.5))),
            "release_p50_ms": ms(Self.percentile(releaseSeconds, 0.5)),
            "release_max_ms": ms(releaseSeconds.max()!), "server_rss_kb": .integer(Int64(serverKB)), "fleet_rss_kb": .integer(Int64(fleetKB)),
            "player_1080p_peak_rss_kb": .integer(Int64(playerKB)),
            "soak_minutes": .integer(Int64(soak?.minutes ?? 0)), "soak_server_rss_kb": .array((soak?.serverKB ?? []).map { .integer(Int64($0)) }),
            "soak_plays_made": .integer(Int64(soak?.made ?? 0)), "soak_plays_stored": .integer(Int64(soak?.stored ?? 0)),
        ]))
    }
}
