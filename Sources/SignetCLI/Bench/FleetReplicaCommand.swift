import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SignetCore
import SignetServer
import SignetSystem
import SignetTUFClient
import UnixSignals

/// `signet bench fleet-replica`: one more server replica for `signet bench fleet`, in a process of
/// its own (one process cannot hold 20,000 sockets here). The same application as
/// `signet server`, on the benchmark's data folder and database, with its fleet counters written
/// to a file every few milliseconds for the benchmark to add up.
struct FleetReplicaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fleet-replica", abstract: "A server replica for bench fleet (not for direct use).",
                                                    shouldDisplay: false)

    @Option(help: "The benchmark's data folder.") var data: String
    @Option(help: "The benchmark's database (postgres://...?schema=NAME; password in SIGNET_DATABASE_PASSWORD).") var database: String
    @Option(help: "Where to write the port and the fleet counters.") var counters: String

    func run() async throws {
        FileLimit.raise(to: 1 << 20)
        var logger = Logger(label: "signet.bench.replica")
        logger.logLevel = .error
        let location = try DatabaseLocation(url: database, password: ProcessInfo.processInfo.environment["SIGNET_DATABASE_PASSWORD"])
        guard case .postgres(let postgres) = location else { throw ValidationError("a replica shares a PostgreSQL database") }
        let store = try await ServerStore(postgres: try PostgresDatabase(postgres, connections: 4))
        let metrics = ServerMetrics(), port = PortBox()
        let application = buildApplication(config: FleetBenchServer.config(folder: data), store: store, logger: logger, metrics: metrics) {
            recordPort($0, into: port)
        }
        let group = ServiceGroup(configuration: .init(services: [application, FleetCounterFile(counters: metrics.fleet, port: port, path: counters)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Writes a replica's port and fleet counters to a file whenever they change (looked at every 5 ms),
/// whole by rename; not synced to disk (`AtomicFile` is), since it means nothing after the run.
struct FleetCounterFile: Service {
    let counters: FleetCounters
    let port: PortBox
    let path: String

    /// What a replica last wrote; nil before its first write.
    static func read(_ path: String) -> (port: Int, tally: FleetTally)? {
        guard let bytes = (try? AtomicFile.read(path, maxBytes: 1 << 20)).flatMap({ $0 }), let object = try? JSONParser().parse(bytes).objectValue,
              let port = object["port"]?.integerValue, let tally = FleetTally(json: object)
        else { return nil }
        return (Int(port), tally)
    }

    func run() async throws {
        let port = try await port.wait()
        await cancelWhenGracefulShutdown {
            var last: [UInt8] = []
            while !Task.isCancelled {
                let bytes = FleetTally(counters).json(port: port)
                if bytes != last {
                    try? Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
                    last = bytes
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}

/// The fleet's counters of one replica or of all of them added up.
struct FleetTally: Equatable {
    var acknowledgements = 0
    var refusals = 0
    var connected = 0
    var releases: [Int64: Int] = [:]

    init() {}

    init(_ counters: FleetCounters) {
        acknowledgements = counters.acknowledgements
        refusals = counters.refusals
        connected = counters.connected
        releases = counters.screensByRelease
    }

    /// As `FleetCounterFile` writes it.
    init?(json object: JSONObject) {
        guard let acknowledgements = object["acknowledgements"]?.integerValue,
              let refusals = object["refusals"]?.integerValue, let connected = object["connected"]?.integerValue,
              let releases = object["releases"]?.objectValue
        else { return nil }
        self.acknowledgements = Int(acknowledgements)
        self.refusals = Int(refusals)
        self.connected = Int(connected)
        for member in releases.members {
            guard let release = Int64(member.key), let count = member.value.integerValue else { return nil }
            self.releases[release] = Int(count)
        }
    }

    func json(port: Int) -> [UInt8] {
        var releases = JSONObject()
        for (release, count) in self.releases.sorted(by: { $0.key < $1.key }) { releases[String(release)] = .integer(Int64(count)) }
        return JSONWriter.compact.encode(["port": .integer(Int64(port)), "acknowledgements": .integer(Int64(acknowledgements)),
                                          "refusals": .integer(Int64(refusals)), "connected": .integer(Int64(connected)), "releases": .object(releases)])
    }

    func screens(reporting release: Int64) -> Int { releases[release] ?? 0 }

    static func + (left: FleetTally, right: FleetTally) -> FleetTally {
        var sum = left
        sum.acknowledgements += right.acknowledgements
        sum.refusals += right.refusals
        sum.connected += right.connected
        sum.releases.merge(right.releases, uniquingKeysWith: +)
        return sum
    }
}
