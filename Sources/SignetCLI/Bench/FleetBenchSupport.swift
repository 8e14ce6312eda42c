import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import ServiceLifecycle
import SignetCore
import SignetServer
import SignetSystem
import SignetTUFClient

/// The benchmark's server: a trial repository (approvers 2 of 3, keys in offline/), an admin and an
/// approver with API tokens, and enrollment without the per-address limit (all screens share one address).
/// On PostgreSQL it may be several replicas on one database schema and one data folder: the
/// first in this process, each other in a `signet bench fleet-replica` process of its own (one
/// process cannot hold 20,000 sockets here), their counters added up.
struct FleetBenchServer {
    let folder: String
    let store: ServerStore
    let application: any Service
    let metrics: ServerMetrics
    let port: PortBox
    let remotes: [FleetReplicaProcess]
    let admin: String
    let approver: String
    /// The schema made for this run on PostgreSQL, dropped by `cleanUp`.
    let schema: (database: PostgresDatabase, name: String)?

    static func start(folder: String, replicas: Int = 1, database: DatabaseLocation = .sqlite, logger: Logger) async throws -> FleetBenchServer {
        let clock = SystemWallClock()
        _ = try ServerSetup.initialise(folder: folder, custodians: [.generate], custodianThreshold: 1,
                                       approvers: [.generate, .generate, .generate], approverThreshold: 2, now: clock.now().tufTime)
        let store: ServerStore, schema: (database: PostgresDatabase, name: String)?
        var remotes: [FleetReplicaProcess] = []
        switch database {
        case .sqlite:
            guard replicas == 1 else { throw CLIError("several replicas share a PostgreSQL database: give --database") }
            store = try ServerStore(path: "\(folder)/signet.sqlite")
            schema = nil
        case .postgres(var location):
            // A schema of its own, so that the database need not be empty.
            let name = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let server = try PostgresDatabase(location, connections: 1)
            _ = try await server.write { db in try db.execute(sql: "CREATE SCHEMA \(name)") }
            schema = (server, name)
            location.schema = name
            store = try await ServerStore(postgres: try PostgresDatabase(location, connections: 4))
            for index in 1..<replicas {
                remotes.append(try FleetReplicaProcess(folder: folder, database: location, counters: "\(folder)/replica-\(index + 1).json"))
            }
        }
        func token(_ role: Role) async throws -> String {
            try await store.createAccountWithAPIToken(name: role.rawValue, role: role, passwordHash: ServerStore.hashPassword(UUID().uuidString, cost: 4),
                                                      label: "bench", at: clock.now())
        }
        let metrics = ServerMetrics(), port = PortBox()
        let application = buildApplication(config: config(folder: folder), store: store, logger: logger, metrics: metrics) { recordPort($0, into: port) }
        return FleetBenchServer(folder: folder, store: store, application: application, metrics: metrics, port: port, remotes: remotes,
                                admin: try await token(.admin), approver: try await token(.approver), schema: schema)
    }

    /// Every replica's configuration: cheap password hashes, and no per-address limit on sign-ins
    /// and enrollments (every simulated screen has the same address).
    static func config(folder: String) -> ServerConfig {
        var config = ServerConfig()
        config.dataDirectory = folder
        config.port = 0
        config.bcryptCost = 4
        config.loginAttemptsPerMinute = 100_000_000
        return config
    }

    func bases() async throws -> [String] {
        var bases = ["http://127.0.0.1:\(try await port.wait())"]
        for remote in remotes { bases.append("http://127.0.0.1:\(try await remote.port())") }
        return bases
    }

    /// The fleet's counters over every replica.
    func tally() throws -> FleetTally {
        try remotes.reduce(FleetTally(metrics.fleet)) { sum, remote in sum + (try remote.tally()) }
    }

    /// Each replica's process.
    var pids: [pid_t] { [getpid()] + remotes.map(\.process.pid) }

    func cleanUp() async {
        for remote in remotes { remote.process.stop() }
        guard let schema else { return }
        _ = try? await schema.database.write { db in try db.execute(sql: "DROP SCHEMA \(schema.name) CASCADE") }
    }
}

/// A replica in a process of its own (`signet bench fleet-replica`), and the file it writes its
/// port and counters to.
struct FleetReplicaProcess {
    let process: ChildProcess
    let counters: String

    init(folder: String, database: PostgresLocation, counters: String) throws {
        self.counters = counters
        process = try ChildProcess(FleetBenchRun.executable, ["bench", "fleet-replica", "--data", folder, "--database", database.description,
                                                              "--counters", counters], captureOutput: false, quiet: false)
    }

    /// Its counters as last written.
    func tally() throws -> FleetTally {
        guard process.isRunning else { throw CLIError("a replica process stopped; its errors are above") }
        return FleetCounterFile.read(counters)?.tally ?? FleetTally()
    }

    func port() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw CLIError("a replica process stopped; its errors are above") }
            if let port = FleetCounterFile.read(counters)?.port { return port }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CLIError("a replica process did not start in 60 s")
    }
}

/// The benchmark's steps against a running server: its operator and approvers use the first
/// replica; the simulated screens are spread over all of them.
struct FleetBenchRun {
    let server: FleetBenchServer
    let bases: [String]
    let http: HTTPClient

    var base: String { bases[0] }

    /// The fleet's counters now, over every replica.
    var fleet: FleetTally { get throws { try server.tally() } }
    var admin: APIClient { APIClient(base: base, token: server.admin, http: http) }
    static var executable: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path }

    /// One `signet fleet-sim` per replica, each with its share of the screens (ids `PREFIX00001` on
    /// one replica; `PREFIX1-00001`, `PREFIX2-00001`, ... on several).
    func startFleet(screens: Int, prefix: String, state: String, playSeconds: Int = 0) throws -> SimulatedFleet {
        SimulatedFleet(processes: try shares(screens, prefix: prefix).enumerated().map { index, share in
            try ChildProcess(Self.executable, ["fleet-sim", "--server", bases[index], "--token", server.admin, "--screens", String(share.count),
                                               "--prefix", share.prefix, "--group", String(prefix.dropLast()), "--state", "\(state)/\(index)",
                                               "--play-seconds", String(playSeconds), "--stats", "\(state)/\(index).stats.json"],
                             captureOutput: false, quiet: false)
        }, stats: shares(screens, prefix: prefix).indices.map { "\(state)/\($0).stats.json" })
    }

    /// Keeps the fleet connected for `minutes`, its heartbeats and proofs of play going, reading
    /// the server's resident memory each minute; then stops the simulators (which first send
    /// what the server does not hold yet) and counts the proofs of play made against those stored.
    func soak(minutes: Int, fleet: SimulatedFleet) async throws -> SoakResult {
        var result = SoakResult(minutes: minutes)
        for minute in 1...minutes {
            try await Task.sleep(for: .seconds(60))
            result.replicaKB.append(server.pids.map { Memory.residentKB(of: $0) })
            let stored = try await server.store.playRecordCount()
            status("  soak minute \(minute) of \(minutes): server \(result.replicaKB.last!.map { "\($0 / 1024) MB" }.joined(separator: " + ")) resident, "
                   + "\(stored) proofs of play stored")
        }
        fleet.stop()
        for path in fleet.stats {
            guard let object = try? JSONParser().parse(try readFile(path)).objectValue,
                  let made = object["plays_made"]?.integerValue, let taken = object["plays_stored"]?.integerValue
            else { throw CLIError("fleet-sim wrote no counts to \(path)") }
            result.made += Int(made)
            result.taken += Int(taken)
        }
        result.stored = try await server.store.playRecordCount()
        return result
    }

    func shares(_ screens: Int, prefix: String) -> [(prefix: String, count: Int)] {
        guard bases.count > 1 else { return [(prefix, screens)] }
        return bases.indices.map { index in ("\(prefix)\(index + 1)-", screens / bases.count + (index < screens % bases.count ? 1 : 0)) }
    }

    /// The ids of the screens `startFleet` simulates.
    func screenIDs(_ screens: Int, prefix: String) -> [String] {
        shares(screens, prefix: prefix).flatMap { share in (0..<share.count).map { share.prefix + String(format: "%05d", $0 + 1) } }
    }

    /// Waits until exactly `screens` channels are open (0: until a stopped fleet's have closed).
    func waitConnected(_ screens: Int, fleet simulated: SimulatedFleet?) async throws {
        let deadline = ContinuousClock.now + .seconds(900)
        while case let connected = try fleet.connected, connected != screens {
            guard simulated?.isRunning ?? true else { throw CLIError("fleet-sim stopped before its screens connected") }
            guard ContinuousClock.now < deadline else { throw CLIError("\(connected) channels open, waiting for \(screens)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Fleet-wide blank and restore in turn: from the operator's request to the server holding
    /// every screen's acknowledgement. One of each first, untimed.
    func timeCommands(_ count: Int, screens: Int) async throws -> [Double] {
        var seconds: [Double] = []
        for index in -2..<count {
            let before = try fleet
            let started = ContinuousClock.now
            _ = try await admin.post("/api/v1/commands", ["action": .string(index % 2 == 0 ? "blank" : "restore"), "all": true])
            let answered = (ContinuousClock.now - started).components
            let deadline = started + .seconds(60)
            var now = try fleet
            while now.acknowledgements < before.acknowledgements + screens {
                guard ContinuousClock.now < deadline else { throw CLIError("\(now.acknowledgements - before.acknowledgements) of \(screens) acknowledged in 60 s") }
                try await Task.sleep(for: .milliseconds(1))
                now = try fleet
            }
            let took = (ContinuousClock.now - started).components
            guard now.refusals == before.refusals else { throw CLIError("\(now.refusals - before.refusals) screens refused a command") }
            if index >= 0 {
                seconds.append(Double(took.seconds) + Double(took.attoseconds) / 1e18)
                status(String(format: "  command %d: every screen acknowledged after %.0f ms (the request answered after %.0f ms)", index + 1,
                              seconds.last! * 1000, (Double(answered.seconds) + Double(answered.attoseconds) / 1e18) * 1000))
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        return seconds
    }

    /// The anchor's fan-outs (`FleetAnchor`), timed as the commands are: from the first write to
    /// the last answer, one untimed round first.
    func timeAnchor(_ count: Int, screens: Int, logger: Logger) async throws -> [Double] {
        let anchor = try FleetAnchor(screens: screens)
        let port = PortBox()
        let group = ServiceGroup(configuration: .init(services: [anchor.application(logger: logger) { recordPort($0, into: port) }], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let clients = try ChildProcess(Self.executable, ["fleet-sim", "--anchor", "--server", "http://127.0.0.1:\(try await port.wait())",
                                                         "--screens", String(screens)], captureOutput: false, quiet: false)
        defer { clients.stop() }
        let deadline = ContinuousClock.now + .seconds(300)
        while anchor.connected < screens {
            guard clients.isRunning, ContinuousClock.now < deadline else { throw CLIError("anchor: \(anchor.connected) of \(screens) connected") }
            try await Task.sleep(for: .milliseconds(50))
        }
        var seconds: [Double] = []
        for index in -1..<count {
            let before = anchor.acknowledged, started = ContinuousClock.now
            await anchor.broadcast()
            while anchor.acknowledged < before + screens {
                guard ContinuousClock.now < started + .seconds(60) else { throw CLIError("anchor: \(anchor.acknowledged - before) of \(screens) answered in 60 s") }
                try await Task.sleep(for: .milliseconds(1))
            }
            let took = (ContinuousClock.now - started).components
            if index >= 0 {
                seconds.append(Double(took.seconds) + Double(took.attoseconds) / 1e18)
                status(String(format: "  anchor round %d: every connection answered after %.0f ms", index + 1, seconds.last! * 1000))
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        clients.stop()
        while anchor.connected > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        return seconds
    }

    /// Releases in turn: from the approver's signature that publishes one to every simulated
    /// screen reporting it in a heartbeat (after its own TUF update and download).
    func timeReleases(_ count: Int, screens: Int, folder: String) async throws -> [Double] {
        let flag = try readFile("\(try SourceTree.locate("Examples/state-visit"))/kazakhstan.png")
        _ = try await APIClient(base: base, token: server.admin, http: http).send(.POST, "/api/v1/assets?name=flag.png", body: flag, contentType: "image/png")
        let flagHash = HashAlgorithm.digest("sha256", of: flag)!
        // The real player's screen (started after the timing) is in the programme from the first release.
        _ = try await admin.post("/api/v1/screens", ["id": "rss-1080p", "name": "rss-1080p", "width": 1920, "height": 1080, "time_zone": "UTC",
                                                    "groups": ["rss"]])
        let ids = screenIDs(screens, prefix: "rel-")
        var seconds: [Double] = []
        for release in 1...count {
            let document = FleetBenchProgramme.document(screens: ids + ["rss-1080p"], flag: flagHash, text: "Release \(release)")
            let saved = try await admin.send(.PUT, "/api/v1/programme", body: document, contentType: "application/json")
            guard let version = saved["version"]?.integerValue else { throw CLIError("the programme was not saved") }
            let proposal = try await admin.post("/api/v1/releases", [:])
            guard let id = proposal["id"]?.integerValue, let signed = proposal["signed"] else { throw CLIError("no proposal") }
            let approving = APIClient(base: base, token: server.approver, http: http)
            _ = try await approving.post("/api/v1/releases/\(id)/signatures", try signature(signed, approver: 1))
            let second = try signature(signed, approver: 2)
            let started = ContinuousClock.now
            _ = try await approving.post("/api/v1/releases/\(id)/signatures", second)
            let deadline = started + .seconds(60)
            while case let reporting = try fleet.screens(reporting: version), reporting < screens {
                guard ContinuousClock.now < deadline else { throw CLIError("\(reporting) of \(screens) reported release \(version)") }
                try await Task.sleep(for: .milliseconds(5))
            }
            let took = (ContinuousClock.now - started).components
            seconds.append(Double(took.seconds) + Double(took.attoseconds) / 1e18)
            status(String(format: "  release %d (programme v%lld): every screen reported it after %.0f ms", release, version, seconds.last! * 1000))
        }
        return seconds
    }

    func signature(_ signed: JSONValue, approver index: Int) throws -> JSONObject {
        let key = try SigningKey(pem: String(decoding: try readFile("\(server.folder)/offline/approver-\(index).key"), as: UTF8.self))
        var metadata = Metadata(signed: try Targets(signed: signed))
        try metadata.sign(with: key)
        return ["keyid": .string(key.keyID), "sig": .string(metadata.signatures[0].signature)]
    }

    /// A real `signet player` for the 1920x1080 screen, enrolled and writing PNG frames.
    func startPlayer(folder: String) async throws -> ChildProcess {
        let token = try await admin.post("/api/v1/screens/rss-1080p/enrollment", [:])["token"]?.stringValue ?? ""
        try AtomicFile.createDirectory(folder)
        try AtomicFile.write(try readFile("\(server.folder)/repository/metadata/1.root.json"), to: "\(folder)/root.json")
        // Its log goes to player.log, which the report quotes if the player wrote no frame.
        let command = ([Self.executable, "player", "--dir", folder, "--server", base, "--enroll", token, "--root", "\(folder)/root.json",
                        "--output", "png:\(folder)/frame.png", "--frame-milliseconds", "250"]).map { "'\($0)'" }.joined(separator: " ")
        return try ChildProcess("/bin/sh", ["-c", "exec \(command) 2>'\(folder)/player.log'"], captureOutput: false)
    }
}

/// The benchmark's programme: every screen shows one slide with the flag and a text.
enum FleetBenchProgramme {
    static func document(screens: [String], flag: String, text: String) -> [UInt8] {
        var entries = JSONObject()
        for id in screens {
            entries[id] = ["policy": "roadside", "default_playlist": "main", "safe_slide": "safe"]
        }
        let programme: JSONValue = [
            "format": 1,
            "policies": ["roadside": ["min_dwell_ms": 10000, "transitions": ["cut"], "static_only": true,
                                      "luminance": ["day_cd_m2": 5000, "night_cd_m2": 300, "night_from": "21:00", "night_to": "07:00"]]],
            "screens": .object(entries),
            "assets": [.init(stringLiteral: flag): ["type": "png", "width": 600, "height": 300]],
            "slides": [
                "safe": ["width": 960, "height": 480, "background": "#000000", "elements": []],
                "main": ["width": 960, "height": 480, "background": "#00205B", "elements": [
                    ["type": "image", "x": 270, "y": 30, "width": 420, "height": 280, "asset": .string(flag), "fit": "fit"],
                    ["type": "text", "x": 0, "y": 340, "width": 960, "height": 100, "text": .string(text), "size": 56, "colour": "#FFFFFF",
                     "align": "center"]]],
            ],
            "playlists": ["main": ["items": [["slide": "main", "dwell_ms": 60000]], "transition": ["type": "cut"]]],
            "schedule": [],
        ]
        return JSONWriter.compact.encode(programme)
    }
}

/// The `signet fleet-sim` processes of a run.
struct SimulatedFleet {
    let processes: [ChildProcess]
    /// Where each simulator writes its proofs of play's counts when it stops.
    var stats: [String] = []

    var isRunning: Bool { processes.allSatisfy(\.isRunning) }
    var residentKB: Int { processes.map { Memory.residentKB(of: $0.pid) }.reduce(0, +) }
    func stop() { for process in processes { process.stop() } }
}

/// A soak's readings: each replica's resident memory each minute, and the proofs of play made by
/// the simulated screens, taken by the server (its answers) and stored (its table).
struct SoakResult {
    let minutes: Int
    var replicaKB: [[Int]] = []
    /// All replicas' together, each minute.
    var serverKB: [Int] { replicaKB.map { $0.reduce(0, +) } }
    var made = 0
    var taken = 0
    var stored = 0

    /// Growth from the second minute's reading (the first minutes fill caches and arenas) to the last.
    var growth: Double { Self.growth(serverKB) }

    /// Each replica's growth.
    var replicaGrowth: [Double] { (replicaKB.first?.indices ?? 0..<0).map { replica in Self.growth(replicaKB.map { $0[replica] }) } }

    static func growth(_ readings: [Int]) -> Double {
        guard let last = readings.last, let base = readings.dropFirst(min(1, readings.count - 1)).first, base > 0 else { return 0 }
        return Double(last - base) / Double(base)
    }
}
