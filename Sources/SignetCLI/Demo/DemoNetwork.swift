import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SignetCore
import SignetForensics
import SignetOutput
import SignetPlayer
import SignetRender
import SignetServer
import SignetSystem
import SignetTUFClient

/// The demo's server and screens: set up in the demo folder, run in this process.
struct DemoNetwork: Sendable {
    struct Screen: Sendable {
        let id: String
        let width: Int
        let height: Int
        let zone: String
        let groups: [String]
    }

    static let screens = [Screen(id: "astana-1", width: 960, height: 480, zone: "Asia/Almaty", groups: ["astana", "roadside"]),
                          Screen(id: "astana-2", width: 768, height: 384, zone: "Asia/Almaty", groups: ["astana", "roadside"]),
                          Screen(id: "berlin-1", width: 1920, height: 1080, zone: "Europe/Berlin", groups: ["berlin"])]

    let folder: String
    let store: ServerStore
    let clock: any WallClock
    let application: any Service
    let listening: ListeningPort
    let http: HTTPClient

    var serverFolder: String { "\(folder)/server" }

    static func create(folder: String, port: Int, clock: any WallClock, database: DatabaseLocation = .sqlite,
                       configure: (inout ServerConfig) -> Void = { _ in }) async throws -> DemoNetwork {
        let data = "\(folder)/server"
        let report = try ServerSetup.initialise(folder: data, custodians: [.generate, .generate, .generate], custodianThreshold: 2,
                                                approvers: [.generate, .generate, .generate], approverThreshold: 2, now: clock.now().tufTime)
        for text in report.lines { line(text) }
        var config = ServerConfig()
        config.dataDirectory = data
        config.port = port
        config.bcryptCost = 10
        config.logFormat = .text
        configure(&config)
        let store = try await ServerStore.open(database, sqlitePath: "\(data)/signet.sqlite")
        guard try await store.accountCount() == 0 else { throw CLIError("the demo needs an empty database; \(database) has accounts") }
        var logger = Logger(label: "signet.server") { FileLogHandler(label: $0, path: "\(folder)/logs/server.log") }
        logger.logLevel = .info
        let listening = ListeningPort()
        let application = buildApplication(config: config, store: store, clock: clock, logger: logger) { channel in
            await listening.set(channel.localAddress?.port ?? 0)
        }
        return DemoNetwork(folder: folder, store: store, clock: clock, application: application, listening: listening,
                           http: HTTPClient.shared)
    }

    func address() async throws -> String { "http://127.0.0.1:\(await listening.port())" }

    /// The demo's people: one account per role, each with a random password and an API token
    /// (there are no default credentials, not even here).
    func accounts(server: String) async throws -> DemoAPI {
        var api = DemoAPI(http: http, server: server)
        for role in [Role.admin, .editor, .approver, .operator] {
            let password = Self.newPassword()
            api.accounts[role.rawValue] = (password, try await store.createAccountWithAPIToken(name: role.rawValue, role: role, passwordHash: hashPassword(password),
                                                                                               label: "demo", at: clock.now()))
        }
        return api
    }

    func hashPassword(_ password: String) -> String { ServerStore.hashPassword(password, cost: 10) }

    /// A random password (128 bits, from the system's cryptographic generator).
    static func newPassword() -> String { Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) }) }

    func writeAccounts(_ api: DemoAPI, to path: String) throws {
        let text = api.accounts.keys.sorted().map { "\($0) password \(api.accounts[$0]!.password) token \(api.accounts[$0]!.token)" }
        try AtomicFile.write(Array((text.joined(separator: "\n") + "\n").utf8), to: path, permissions: 0o600)
    }

    /// Registers each screen, enrolls a player for it with a one-time token, and returns the
    /// players (not yet running).
    func startPlayers(api: DemoAPI, server: String) async throws -> [Player] {
        let root = try readFile("\(serverFolder)/repository/metadata/1.root.json")
        try AtomicFile.createDirectory("\(folder)/frames")
        var players: [Player] = []
        for screen in Self.screens {
            _ = try await api.client("admin").post("/api/v1/screens", [
                "id": .string(screen.id), "name": .string(screen.id), "width": .integer(Int64(screen.width)),
                "height": .integer(Int64(screen.height)), "time_zone": .string(screen.zone), "groups": .array(screen.groups.map(JSONValue.string))])
            let token = try await api.client("admin").post("/api/v1/screens/\(screen.id)/enrollment", [:])["token"]?.stringValue ?? ""
            let playerFolder = "\(folder)/players/\(screen.id)"
            let identity = try await DeviceIdentity.enroll(server: server, token: token, trustedRoot: root, folder: playerFolder, http: http)
            var configuration = PlayerConfiguration(folder: playerFolder, outputs: [.png(path: "\(folder)/frames/\(screen.id).png")],
                                                    fontPath: ProgrammeFiles.defaultFont)
            configuration.pollInterval = .seconds(10)
            configuration.heartbeatInterval = .seconds(1)
            configuration.frameInterval = .seconds(1)
            var logger = Logger(label: "signet.player") { FileLogHandler(label: $0, path: "\(folder)/logs/\(screen.id).log") }
            logger.logLevel = .info
            players.append(Player(identity: identity, configuration: configuration, http: http, clock: clock, logger: logger))
            line("\(screen.id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(screen.width)x\(screen.height) \(screen.zone): enrolled, device key "
                 + "\(identity.key.keyID.prefix(16))… (players/\(screen.id)/device.key, 0600); frames -> frames/\(screen.id).png")
        }
        return players
    }

    /// The editor saves the programme and proposes it; approvers sign one at a time with
    /// `signet approve`, each on "their own machine" (their key never reaches the server).
    func approveRelease(api: DemoAPI, server: String, approvals: Int, folder: String,
                        programme: [UInt8]? = nil) async throws -> (result: DemoResult, published: ContinuousClock.Instant, programmeVersion: Int64) {
        let content = try DemoProgramme.load()
        let editor = api.client("editor")
        _ = try await editor.send(.POST, "/api/v1/assets?name=kazakhstan.png", body: content.flag, contentType: "image/png")
        let saved = try await editor.send(.PUT, "/api/v1/programme", body: programme ?? content.programmeBytes, contentType: "application/json")
        let version = saved["version"]?.integerValue ?? 0
        let proposal = try await editor.post("/api/v1/releases", [:])
        let id = proposal["id"]?.integerValue ?? 0
        line("editor saved programme v\(saved["version"]?.integerValue ?? 0) and proposed release \(id) (targets v\(proposal["targets_version"]?.integerValue ?? 0))")
        var publishedAfter: [Bool] = []
        var published = ContinuousClock.now
        for index in 1...approvals {
            line("approver-\(index) runs: signet approve \(id) --server \(server) --key server/offline/approver-\(index).key "
                 + "--root server/repository/metadata/1.root.json --yes")
            let approve = try ApproveCommand.parse([String(id), "--server", server, "--key", "\(serverFolder)/offline/approver-\(index).key",
                                                    "--root", "\(serverFolder)/repository/metadata/1.root.json",
                                                    "--witness", "\(folder)/approvals/approver-\(index)-witness",
                                                    "--token", api.accounts["approver"]!.token, "--previews", "\(folder)/approvals/approver-\(index)",
                                                    "--at", "2024-11-27T06:00:05+05:00", "--days", "2", "--yes"])
            try await approve.run()
            published = ContinuousClock.now
            let state = try await editor.getJSON("/api/v1/releases/\(id)")["state"]?.stringValue
            publishedAfter.append(state == "published")
        }
        let passed = publishedAfter == Array(repeating: false, count: approvals - 1) + [true]
        return (DemoResult(name: "one approval does not publish; the second does", passed: passed), published, version)
    }

    /// Waits until every screen reports `release` in its heartbeat.
    func waitForRelease(_ release: Int64, api: DemoAPI, since started: ContinuousClock.Instant, within seconds: Double) async throws -> DemoResult {
        var reported: [String: JSONObject] = [:]
        while ContinuousClock.now - started < .seconds(seconds) {
            reported = try await heartbeats(api)
            if Self.screens.allSatisfy({ reported[$0.id]?["release"] == .integer(release) }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let after = (ContinuousClock.now - started).components
        let passed = Self.screens.allSatisfy { reported[$0.id]?["release"] == .integer(release) }
        for screen in Self.screens {
            let heartbeat = reported[screen.id]
            line("\(screen.id): release \(heartbeat?["release"]?.integerValue.map(String.init) ?? "none"), showing \(heartbeat?["slide"]?.stringValue ?? "?")")
        }
        let took = String(format: "%.2f", Double(after.seconds) + Double(after.attoseconds) / 1e18)
        return DemoResult(name: "every player verified release \(release) and reported it within \(took) s of its publication",
                          passed: passed)
    }

    /// Waits until every screen's heartbeat reports `mode`.
    func waitForMode(_ mode: String, api: DemoAPI, within seconds: Double) async throws {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(seconds) {
            let reported = try await heartbeats(api)
            if Self.screens.allSatisfy({ reported[$0.id]?["mode"] == .string(mode) }) {
                line("every screen reports \(mode)")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        line("not every screen reported \(mode) within \(Int(seconds)) s")
    }

    func heartbeats(_ api: DemoAPI) async throws -> [String: JSONObject] {
        let screens = try await api.client("admin").getJSON("/api/v1/screens")["screens"]?.arrayValue ?? []
        var result: [String: JSONObject] = [:]
        for screen in screens.compactMap(\.objectValue) {
            if let id = screen["id"]?.stringValue, let heartbeat = screen["heartbeat"]?.objectValue { result[id] = heartbeat }
        }
        return result
    }

    /// Each screen's frame file against the server's preview of the approved programme.
    func checkFrames(api: DemoAPI, at instant: Instant, clock: ShiftedWallClock, folder: String) async throws -> DemoResult {
        let wait = instant.millisecondsSince1970 - clock.now().millisecondsSince1970
        if wait > 0 {
            line("waiting \(wait / 1000) s for the demo clock to reach \(instant)")
            try await Task.sleep(for: .milliseconds(wait))
        }
        var matched = 0
        for screen in Self.screens {
            var distance = Int.max
            var slide = "?"
            for _ in 0..<20 where distance > Fingerprint.threshold {
                let at = clock.now()
                let preview = try await api.client("editor").get("/api/v1/screens/\(screen.id)/preview?at=\(at.iso8601)")
                let expected = Fingerprint(of: try ImageDecoder.decode(preview))
                if let frame = try? ImageDecoder.decode(readFile("\(folder)/frames/\(screen.id).png")) {
                    distance = Fingerprint(of: frame).distance(to: expected)
                }
                slide = try await heartbeats(api)[screen.id]?["slide"]?.stringValue ?? "?"
                if distance > Fingerprint.threshold { try await Task.sleep(for: .milliseconds(250)) }
            }
            if distance <= Fingerprint.threshold { matched += 1 }
            line("\(screen.id): slide \(slide); frames/\(screen.id).png is \(distance <= Fingerprint.threshold ? "the approved frame" : "NOT the approved frame") (fingerprint distance \(distance))")
        }
        return DemoResult(name: "each screen outputs exactly the approved frame (the Astana screens: the state-visit welcome)",
                          passed: matched == Self.screens.count)
    }

    /// An attacker with the admin account: saves a programme with the Ukrainian flag, proposes it,
    /// makes itself an approver account and hands in a signature made with the server's online key.
    func stolenAdminAttack(api: DemoAPI, folder: String) async throws -> DemoResult {
        let before = try Fingerprint(of: ImageDecoder.decode(readFile("\(folder)/frames/astana-1.png")))
        let attempt = try await stolenAdminProposal(api: api, forged: try DemoProgramme.load().forgedProgramme)
        try await Task.sleep(for: .seconds(1))
        let state = try await api.client("admin").getJSON("/api/v1/releases/\(attempt.proposal)")["state"]?.stringValue ?? "?"
        let after = try Fingerprint(of: ImageDecoder.decode(readFile("\(folder)/frames/astana-1.png")))
        line("proposal \(attempt.proposal) is \(state); astana-1 still shows the approved frame: \(after.matches(before) ? "yes" : "NO")")
        return DemoResult(name: "a stolen admin account and the server's keys cannot publish the Ukrainian flag",
                          passed: attempt.refusal.contains("403") && state == "open" && after.matches(before))
    }

    /// An attacker with the admin account saves `forged`, proposes it, makes itself an approver
    /// account and hands in a signature made with the server's online snapshot key: the
    /// proposal's number, the server's answer to the signature ("accepted" if it took it), and how
    /// long that answer took.
    func stolenAdminProposal(api: DemoAPI, forged: [UInt8]) async throws -> (proposal: Int64, refusal: String, answeredAfter: Duration) {
        let admin = api.client("admin")
        _ = try await admin.send(.PUT, "/api/v1/programme", body: forged, contentType: "application/json")
        let proposal = try await admin.post("/api/v1/releases", [:])
        let id = proposal["id"]?.integerValue ?? 0
        line("the attacker saved the forged programme and proposed release \(id)")
        let mallory = APIClient(base: admin.base, token: try await store.createAccountWithAPIToken(name: "mallory", role: .approver, passwordHash: hashPassword(Self.newPassword()),
                                                                                                 label: "attack", at: clock.now()),
                                http: http)
        let onlineKey = try SigningKey(pem: String(decoding: try readFile(ServerSetup.onlineKeyPath("snapshot", in: serverFolder)), as: UTF8.self))
        var metadata = Metadata(signed: try Targets(signed: proposal["signed"] ?? .null))
        try metadata.sign(with: onlineKey)
        let started = ContinuousClock.now
        var refusal = "accepted"
        do {
            _ = try await mallory.post("/api/v1/releases/\(id)/signatures", ["keyid": .string(onlineKey.keyID), "sig": .string(metadata.signatures[0].signature)])
        } catch {
            refusal = "\(error)"
        }
        let answeredAfter = ContinuousClock.now - started
        line("a signature made with the server's snapshot key: \(refusal)")
        return (id, refusal, answeredAfter)
    }

    func fleetCommand(_ action: String, api: DemoAPI, server: String) async throws -> DemoResult {
        line("operator runs: signet \(action) --all --server \(server)")
        let started = ContinuousClock.now
        do {
            var command = try FleetTarget.parse(["--all", "--server", server, "--token", api.accounts["operator"]!.token])
            command.wait = 10
            try await command.send(action)
        } catch {
            return DemoResult(name: "\(action) --all: every screen acknowledged", passed: false)
        }
        let took = (ContinuousClock.now - started).components
        return DemoResult(name: "\(action) --all: every screen acknowledged (\(took.seconds).\(String(format: "%02d", took.attoseconds / 10_000_000_000_000_000)) s)",
                          passed: true)
    }

    /// Every screen's proofs of play as the server holds them: the showing of release 1 and the
    /// blank among them, each record naming the hash of the one before.
    func proofsOfPlay(api: DemoAPI) async throws -> DemoResult {
        let window = "from=\(DemoCommand.clockStart.adding(milliseconds: -3_600_000).iso8601)&to=\(clock.now().adding(milliseconds: 3_600_000).iso8601)"
        let deadline = ContinuousClock.now + .seconds(10)
        var passed = true
        for screen in Self.screens {
            var plays: [JSONObject] = []
            // The blank: a black showing after one of release 1.
            func complete() -> Bool {
                guard let shown = plays.firstIndex(where: { $0["mode"] == "programme" && $0["release"] == .integer(1) }) else { return false }
                return plays[shown...].contains { $0["mode"] == "black" }
            }
            repeat {
                plays = (try await api.client("admin").getJSON("/api/v1/screens/\(screen.id)/plays?\(window)")["plays"]?.arrayValue ?? [])
                    .compactMap(\.objectValue)
                if complete() { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < deadline
            let chained = zip(plays, plays.dropFirst()).allSatisfy { earlier, later in
                later["previous"] == earlier["hash"] && later["sequence"]?.integerValue == earlier["sequence"]?.integerValue.map { $0 + 1 }
            }
            passed = passed && complete() && chained
            let shown = plays.map { play in
                let what = play["mode"]?.stringValue == "programme" ? play["slide"]?.stringValue ?? "nothing scheduled" : play["mode"]?.stringValue ?? "?"
                return "\(play["start"]?.stringValue?.dropFirst(11).prefix(8) ?? "?") \(what)"
            }
            line("\(screen.id): \(plays.count) records, \(chained ? "chained" : "NOT CHAINED") (UTC): \(shown.joined(separator: ", "))")
        }
        return DemoResult(name: "every screen's proofs of play reached the server, signed by its device and chained (the blank among them)",
                          passed: passed)
    }

    /// The transparency log, checked as an auditor would (`signet audit verify`): every entry under
    /// the checkpoint signed with the log key that root v1 names.
    func transparencyLog(api: DemoAPI) async throws -> DemoResult {
        let root = try Metadata<Root>(bytes: try readFile("\(serverFolder)/repository/metadata/1.root.json"))
        let key = try NoteKey(logOf: root.signed)
        do {
            let verified = try await LogReader(api: api.client("admin")).verify(key: key, trusted: nil) { _ in }
            let actions = Set(try await api.client("admin").getJSON("/api/v1/audit")["events"]?.arrayValue?
                .compactMap { $0.objectValue?["action"]?.stringValue } ?? [])
            line("log \(key.name): \(verified.checkpoint.size) entries, among them " + ["release.sign", "release.publish", "command.issue", "command.ack",
                                                                                     "play.batch"].filter(actions.contains).joined(separator: ", "))
            return DemoResult(name: "the transparency log's \(verified.checkpoint.size) entries verify under its signed checkpoint (signet audit verify)",
                              passed: true)
        } catch {
            line("log \(key.name): \(error)")
            return DemoResult(name: "the transparency log verifies under its signed checkpoint (signet audit verify)", passed: false)
        }
    }

    /// `signet forensics` for astana-1 in the middle of its welcome slide and of the operator's
    /// blank (moments taken from its proofs of play).
    func forensics(api: DemoAPI) async throws -> DemoResult {
        let admin = api.client("admin")
        let plays = try await admin.getJSON("/api/v1/screens/astana-1/plays?from=2024-11-27T00:00:00Z&to=2024-11-28T00:00:00Z")["plays"]?.arrayValue ?? []
        func middle(where matches: (JSONObject) -> Bool) -> Instant? {
            guard let play = plays.compactMap(\.objectValue).first(where: matches),
                  let start = play["start"]?.stringValue.flatMap(Instant.init(iso8601:)), let end = play["end"]?.stringValue.flatMap(Instant.init(iso8601:))
            else { return nil }
            return start.adding(milliseconds: (end.millisecondsSince1970 - start.millisecondsSince1970) / 2)
        }
        let moments = [("welcome", middle { $0["slide"] == "welcome" }), ("the blank", middle { $0["mode"] == "black" && $0["release"] != nil })]
        let root = try readFile("\(serverFolder)/repository/metadata/1.root.json")
        var passed = true
        for (what, moment) in moments {
            guard let moment else {
                line("astana-1 has no proof of play of \(what)")
                passed = false
                continue
            }
            line("signet forensics --screen astana-1 --at \(moment.iso8601) --root server/repository/metadata/1.root.json")
            let report = try await ForensicsCommand.examine(api: admin, screen: "astana-1", at: moment, window: 60, trustedRoot: root)
            for text in report.lines() where !text.hasPrefix("  PASS  proof-of-play batch") { line("  " + text) }
            passed = passed && report.passed && report.showing != nil
        }
        return DemoResult(name: "forensics names what astana-1 showed, its release and approvers, and the blank's operator; every proof verifies",
                          passed: passed)
    }

    /// Renders the forged programme for astana-1 as a compromised player would, and compares it
    /// with the approved frame.
    func forgedFrame(folder: String) throws -> DemoResult {
        let content = try DemoProgramme.load()
        let assets = ProgrammeFiles.AssetFolder(try SourceTree.locate("Examples/state-visit"))
        let renderer = SlideRenderer(typeface: try ProgrammeFiles.typeface(ProgrammeFiles.defaultFont))
        let at = DemoCommand.visitStart.adding(milliseconds: 5_000)
        func frame(_ bytes: [UInt8]) throws -> Canvas {
            var frames = ScreenFrames(engine: try ScheduleEngine(programme: try Programme(bytes: bytes), screen: "astana-1"), renderer: renderer,
                                      asset: assets.bytes)
            return try frames.frame(at: at).canvas
        }
        let forged = try frame(content.forgedProgramme), approved = try frame(content.programmeBytes)
        try AtomicFile.write(try PNGEncoder.encode(forged), to: "\(folder)/forged-astana-1.png")
        let distance = Fingerprint(of: forged).distance(to: Fingerprint(of: approved))
        line("forged-astana-1.png against the approved frame: fingerprint distance \(distance) (threshold \(Fingerprint.threshold))")
        return DemoResult(name: "a compromised player's frame (the Ukrainian flag) is told apart from the approved one",
                          passed: distance > Fingerprint.threshold)
    }
}

/// The port the server listens on, once it does.
actor ListeningPort {
    private var value: Int?
    private var waiting: [CheckedContinuation<Int, Never>] = []

    func set(_ port: Int) {
        value = port
        for continuation in waiting { continuation.resume(returning: port) }
        waiting = []
    }

    func port() async -> Int {
        if let value { return value }
        return await withCheckedContinuation { waiting.append($0) }
    }
}

/// The demo's accounts and their API clients.
struct DemoAPI: Sendable {
    let http: HTTPClient
    let server: String
    var accounts: [String: (password: String, token: String)] = [:]

    init(http: HTTPClient, server: String) {
        self.http = http
        self.server = server
    }

    func client(_ role: String) -> APIClient { APIClient(base: server, token: accounts[role]!.token, http: http) }
}
