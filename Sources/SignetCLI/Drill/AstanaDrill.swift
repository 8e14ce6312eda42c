import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SignetCore
import SignetForensics
import SignetOutput
import SignetPlayer
import SignetRender
import SignetServer
import SignetSystem
import SignetTUFClient

/// The drill's steps, once the server and the mirror listen: the screen set up and given the
/// state-visit programme, each scenario in turn, the forensic examinations and the table.
struct AstanaDrill: Service {
    let network: DemoNetwork
    let folder: String
    let clock: SteppedWallClock
    let mirror: DrillMirror
    let mirrorPort: ListeningPort
    let outcome = DemoOutcome()

    static let screen = "astana-1"
    static let width = 960, height = 480

    func run() async throws {
        let server = try await network.address()
        do {
            try await withThrowingDiscardingTaskGroup { group in
                let failures = try await drill(server: server, group: &group)
                await outcome.finish(failed: failures)
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            print("the drill stopped: \(error)")
            throw error
        }
    }

    func drill(server: String, group: inout ThrowingDiscardingTaskGroup<any Error>) async throws -> Int {
        let api = try await network.accounts(server: server)
        try network.writeAccounts(api, to: "\(folder)/accounts.txt")
        let relay = try DrillRelay(upstreamPort: await network.listening.port())
        let panel = try DrillPanel(folder: folder, width: Self.width, height: Self.height, clock: clock)
        let player = try await startPlayer(api: api, relay: relay, panel: panel)
        group.addTask { try await player.run() }

        let content = try DemoProgramme.load()
        // The state-visit example, for this one screen.
        let visit = try Self.restricted(content.programmeBytes), forged = try Self.restricted(content.forgedProgramme)
        section("The programme before the visit (release 1), then the state-visit programme (release 2), each approved by 2 of 3 approvers")
        let before = try Self.withoutSchedule(visit)
        try await waitForRelease(try await network.approveRelease(api: api, server: server, approvals: 2, folder: folder, programme: before).programmeVersion,
                                 api: api)
        // Release 1's timestamp as it was, for the rollback scenario to replay.
        let releaseOneTimestamp = try readFile("\(network.serverFolder)/repository/metadata/timestamp.json")
        try await waitForRelease(try await network.approveRelease(api: api, server: server, approvals: 2, folder: folder, programme: visit).programmeVersion,
                                 api: api)

        let approved = try await approvedFrames(api: api) + Self.dimmed(try Programme(bytes: visit), flag: content.flag, at: clock.now())
        let context = DrillContext(api: api, network: network, panel: panel, relay: relay, mirror: mirror, clock: clock, approved: approved,
                                   forged: try Self.forgedWelcome(forged, flag: content.flag))
        guard let welcome = approved.first(where: { $0.name.hasPrefix("welcome") }) else { throw CLIError("release 2 has no welcome slide") }
        try await context.waitForPanel(within: 15) { $0.matches(welcome.fingerprint) }
        line("astana-1 shows: \(context.name(panel.panel.last!.fingerprint))")

        var rows: [DrillRow] = []
        rows.append(try await context.stolenAdmin(forged: forged))
        rows.append(try await context.stolenOnlineKeys(forged: forged, recover: { try await recoverFromStolenKeys(visit, api: api, server: server) }))
        rows.append(try await context.rollback(replaying: releaseOneTimestamp))
        rows.append(try await context.freeze())
        rows.append(try await context.compromisedController(welcome: welcome.fingerprint))
        rows.append(try await context.cableFault())
        rows.append(try await context.replayedBlank())

        section("Forensics: each scenario's moment examined from signed evidence with the ceremony's root (signet forensics)")
        // The showing in progress reaches the server when it ends: end it with the safe slide.
        try await context.command("safe")
        try await Task.sleep(for: .seconds(3))
        let root = try readFile("\(network.serverFolder)/repository/metadata/1.root.json")
        for index in rows.indices {
            guard let moment = rows[index].moment else { continue }
            let report = try await ForensicsCommand.examine(api: api.client("admin"), screen: Self.screen, at: moment, window: 120, trustedRoot: root)
            rows[index].verdict = report.display?.verdict ?? "no record"
            let proofs = report.passed ? "every proof verifies" : "EVIDENCE DOES NOT VERIFY"
            line("\(rows[index].id). at \(moment.iso8601): \(report.display.map { "\($0.verdict): \($0.detail)" } ?? "no record covers it"); \(proofs)")
            if !report.passed || rows[index].verdict != rows[index].expectedVerdict { rows[index].passed = false }
        }

        let unapproved = panel.outputs.filter { output in !approved.contains { output.fingerprint.matches($0.fingerprint) } }
        DrillRow.printTable(rows)
        section("Summary")
        line("frames the player output: \(panel.outputs.count) distinct, \(unapproved.count) that no release approved")
        for frame in unapproved { line("UNAPPROVED at \(Instant(millisecondsSince1970: frame.at).iso8601): \(context.name(frame.fingerprint))") }
        for row in rows { line("\(row.passed ? "PASS" : "FAIL")  \(row.id). \(row.name)") }
        let failures = rows.filter { !$0.passed }.count + (unapproved.isEmpty ? 0 : 1)
        line(failures == 0 ? "the drill passed: no unapproved frame was output; every fault was detected, contained and named"
                           : "THE DRILL FAILED (\(failures))")
        return failures
    }

    /// Registers the screen, enrolls its player through the relay, and points it at the controller,
    /// the capture and the mirror.
    func startPlayer(api: DemoAPI, relay: DrillRelay, panel: DrillPanel) async throws -> Player {
        _ = try await api.client("admin").post("/api/v1/screens", [
            "id": .string(Self.screen), "name": "Kabanbay Batyr roadside", "width": .integer(Int64(Self.width)), "height": .integer(Int64(Self.height)),
            "time_zone": "Asia/Almaty", "groups": ["astana", "roadside"]])
        let token = try await api.client("admin").post("/api/v1/screens/\(Self.screen)/enrollment", [:])["token"]?.stringValue ?? ""
        let root = try readFile("\(network.serverFolder)/repository/metadata/1.root.json")
        let playerFolder = "\(folder)/players/\(Self.screen)"
        let identity = try await DeviceIdentity.enroll(server: "http://127.0.0.1:\(relay.port)", token: token, trustedRoot: root, folder: playerFolder,
                                                       http: network.http)
        var configuration = PlayerConfiguration(folder: playerFolder, outputs: [try OutputAddress(panel.output)], fontPath: ProgrammeFiles.defaultFont)
        configuration.repository = "http://127.0.0.1:\(await mirrorPort.port())"
        configuration.capture = try CaptureSource(panel.capture)
        configuration.pollInterval = .seconds(2)
        configuration.heartbeatInterval = .seconds(1)
        configuration.thumbnailInterval = nil
        var logger = Logger(label: "signet.player") { FileLogHandler(label: $0, path: "\(folder)/logs/\(Self.screen).log") }
        logger.logLevel = .info
        line("\(Self.screen) \(Self.width)x\(Self.height): player enrolled through a relay an attacker controls (127.0.0.1:\(relay.port)); "
             + "releases from a mirror (\(configuration.repository!)); output to the LED controller; capture \(panel.capture)")
        return Player(identity: identity, configuration: configuration, http: network.http, clock: clock, logger: logger)
    }

    /// Waits until the screen reports the programme version of a release in use.
    func waitForRelease(_ version: Int64, api: DemoAPI) async throws {
        guard try await waitForRelease(version, api: api, within: 30) else { throw CLIError("\(Self.screen) did not take programme v\(version) within 30 s") }
    }

    func waitForRelease(_ version: Int64, api: DemoAPI, within seconds: Int) async throws -> Bool {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(seconds) {
            if try await network.heartbeats(api)[Self.screen]?["release"] == .integer(version) {
                line("\(Self.screen) verified the release of programme v\(version) (\(DrillRow.seconds(ContinuousClock.now - started)) after publication)")
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// After the online keys were stolen, the player holds the attacker's snapshot: it verified
    /// (the keys were real) and names the attacker's targets. A new approved release moves it on
    /// once its snapshot version passes the attacker's; the first release after the attack gets
    /// the attacker's snapshot version, so the player keeps the snapshot it already verified at
    /// that version, and the approvers publish once more. (A real incident also rotates the
    /// online keys with a new root: an attacker could pick versions no publication passes.)
    func recoverFromStolenKeys(_ programme: [UInt8], api: DemoAPI, server: String) async throws -> String {
        let started = ContinuousClock.now
        var publications = 0
        for _ in 1...2 {
            let version = try await network.approveRelease(api: api, server: server, approvals: 2, folder: folder, programme: programme).programmeVersion
            publications += 1
            if try await waitForRelease(version, api: api, within: 15) {
                return "recovered: the approvers signed the programme again (\(publications) publication\(publications == 1 ? "" : "s")), "
                    + "taken in \(DrillRow.seconds(ContinuousClock.now - started))"
            }
            line("the player still holds the snapshot it verified at the attacker's version; the approvers publish once more")
        }
        throw CLIError("\(Self.screen) did not recover from the stolen online keys")
    }

    /// Every slide's fingerprint at the screen's size in every published release, and black.
    func approvedFrames(api: DemoAPI) async throws -> [DrillContext.Named] {
        var named: [DrillContext.Named] = [.init(name: "black", fingerprint: Fingerprint(of: SlideRenderer.black(width: Self.width, height: Self.height).render()))]
        let top = try Metadata<Targets>(bytes: try await api.client("admin").get("/repository/metadata/targets.json")).signed
        for version in 1...top.version {
            let targets = try Metadata<Targets>(bytes: try await api.client("admin").get("/repository/metadata/\(version).targets.json")).signed
            guard let frames = targets.targets["programme.json"]?.custom?.objectValue?["frames"] else { continue }
            for (slide, fingerprint) in try ApprovedFrames(json: frames).slides(width: Self.width, height: Self.height).sorted(by: { $0.key < $1.key })
            where !named.contains(where: { $0.fingerprint == fingerprint }) {
                named.append(.init(name: "\(slide) (release \(version))", fingerprint: fingerprint))
            }
        }
        return named
    }

    static func restricted(_ bytes: [UInt8]) throws -> [UInt8] {
        try Programme(bytes: bytes).restricted(to: [screen]).canonicalBytes
    }

    /// Each slide as the brightness policy dims it at `instant` (at night, 300 cd/m² of a 6000 cd/m²
    /// panel): approved frames too, as the screen must show them.
    static func dimmed(_ programme: Programme, flag: [UInt8], at instant: Instant) throws -> [DrillContext.Named] {
        let cap = try ScheduleEngine(programme: programme, screen: screen).brightnessCap(at: instant)
        guard cap < 1 else { return [] }
        let renderer = SlideRenderer(typeface: try ProgrammeFiles.typeface(ProgrammeFiles.defaultFont))
        return try programme.slides.keys.sorted().map { slide in
            let drawn = try renderer.prepare(slide, of: programme, for: programme.screens[screen]!) { _ in flag }.render()
            return DrillContext.Named(name: "\(slide) (dimmed to \(Int(cap * 100)) %)",
                                      fingerprint: Fingerprint(of: OutputAdjustment(brightness: cap, gamma: 2.2).apply(to: drawn)))
        }
    }

    /// The state-visit programme without its schedule: the city's playlist only.
    static func withoutSchedule(_ bytes: [UInt8]) throws -> [UInt8] {
        guard case .object(var object) = try JSONParser().parse(bytes) else { throw CLIError("the programme is not an object") }
        object["schedule"] = .array([])
        return JSONWriter.compact.encode(.object(object))
    }

    /// The welcome slide with the Ukrainian flag, as the compromised controller puts it on the panel.
    static func forgedWelcome(_ forged: [UInt8], flag: [UInt8]) throws -> [UInt8] {
        let programme = try Programme(bytes: forged)
        let renderer = SlideRenderer(typeface: try ProgrammeFiles.typeface(ProgrammeFiles.defaultFont))
        let prepared = try renderer.prepare("welcome", of: programme, for: programme.screens[screen]!) { _ in flag }
        return prepared.render().rgb
    }
}
