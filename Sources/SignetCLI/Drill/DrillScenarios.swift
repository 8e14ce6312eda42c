import ArgumentParser
import Foundation
import NIOHTTP1
import SignetCore
import SignetForensics
import SignetRender
import SignetServer
import SignetSystem
import SignetTUFClient

/// What every scenario works with: the people's API, the panel, the attacker's relay and mirror,
/// the clock, and every frame a release approved (by name).
struct DrillContext {
    struct Named: Sendable {
        let name: String
        let fingerprint: Fingerprint
    }

    let api: DemoAPI
    let network: DemoNetwork
    let panel: DrillPanel
    let relay: DrillRelay
    let mirror: DrillMirror
    let clock: SteppedWallClock
    let approved: [Named]
    /// The welcome slide with the Ukrainian flag, RGB at the screen's size.
    let forged: [UInt8]

    static let screen = AstanaDrill.screen
    var admin: APIClient { api.client("admin") }
    var ukrainian: Fingerprint { Fingerprint(rgb: forged, width: AstanaDrill.width, height: AstanaDrill.height) }

    func now() -> Int64 { clock.now().millisecondsSince1970 }

    /// The approved frame closest to the picture, if it matches one.
    func name(_ fingerprint: Fingerprint) -> String {
        if let named = approved.min(by: { fingerprint.distance(to: $0.fingerprint) < fingerprint.distance(to: $1.fingerprint) }),
           fingerprint.matches(named.fingerprint) { return named.name }
        return fingerprint.matches(ukrainian) ? "the Ukrainian flag (NOT APPROVED)" : "a picture no release approved"
    }

    func isApproved(_ fingerprint: Fingerprint) -> Bool { approved.contains { fingerprint.matches($0.fingerprint) } }

    // MARK: Evidence

    func latestEventID() async throws -> Int64 {
        try await admin.getJSON("/api/v1/audit?latest=1")["events"]?.arrayValue?.first?.objectValue?["id"]?.integerValue ?? 0
    }

    /// The first audit event after `id` that `matches`, waiting up to `seconds`.
    func waitForEvent(after id: Int64, within seconds: Double, _ matches: (JSONObject) -> Bool) async throws -> JSONObject? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var after = id
        while ContinuousClock.now < deadline {
            let events = (try await admin.getJSON("/api/v1/audit?after=\(after)")["events"]?.arrayValue ?? []).compactMap(\.objectValue)
            if let found = events.first(where: matches) { return found }
            after = events.last?["id"]?.integerValue ?? after
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    static func time(_ event: JSONObject) -> Int64 {
        event["at"]?.stringValue.flatMap(Instant.init(iso8601:))?.millisecondsSince1970 ?? 0
    }

    static func detail(_ event: JSONObject) -> JSONObject {
        event["detail"]?.stringValue.flatMap { try? JSONParser().parse(Array($0.utf8)).objectValue } ?? JSONObject()
    }

    func waitForPanel(within seconds: Double, _ matches: (Fingerprint) -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let last = panel.panel.last, matches(last.fingerprint) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CLIError("the panel did not show what was expected within \(seconds) s; it shows \(panel.panel.last.map { name($0.fingerprint) } ?? "nothing")")
    }

    /// What the panel showed from `start` to `end`, in order, the picture already up at `start` first.
    func shown(from start: Int64, to end: Int64) -> String {
        let pictures = panel.panel
        let before = pictures.last { $0.at < start }
        var names: [String] = []
        for picture in (before.map { [$0] } ?? []) + pictures.filter({ $0.at >= start && $0.at <= end }) {
            let name = name(picture.fingerprint)
            if names.last != name { names.append(name) }
        }
        return names.joined(separator: " → ")
    }

    /// An operator's command to the screen, acknowledged.
    func command(_ action: String) async throws {
        var target = try FleetTarget.parse(["--screen", Self.screen, "--server", api.server, "--token", api.accounts["operator"]!.token])
        target.wait = 10
        try await target.send(action)
    }

    /// The midpoint of the first proof-of-play record from `start` on that `matches`, once the
    /// server holds it (records reach it when they end).
    func recordMoment(from start: Int64, _ matches: (JSONObject) -> Bool) async throws -> Instant? {
        let from = Instant(millisecondsSince1970: start - 2_000).iso8601, to = Instant(millisecondsSince1970: now() + 60_000).iso8601
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let plays = (try await admin.getJSON("/api/v1/screens/\(Self.screen)/plays?from=\(from)&to=\(to)")["plays"]?.arrayValue ?? [])
                .compactMap(\.objectValue)
            if let play = plays.first(where: matches), let first = play["start"]?.stringValue.flatMap(Instant.init(iso8601:)),
               let last = play["end"]?.stringValue.flatMap(Instant.init(iso8601:)) {
                return first.adding(milliseconds: (last.millisecondsSince1970 - first.millisecondsSince1970) / 2)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    // MARK: a–d: attacks on releases

    func stolenAdmin(forged: [UInt8]) async throws -> DrillRow {
        section("a. A stolen admin password: the Ukrainian flag proposed, and handed in with a signature the server's own key made")
        let start = now()
        let attempt = try await network.stolenAdminProposal(api: api, forged: forged)
        let (id, refusal, refusedAfter) = (attempt.proposal, attempt.refusal, attempt.answeredAfter)
        try await Task.sleep(for: .seconds(2))
        let state = try await admin.getJSON("/api/v1/releases/\(id)")["state"]?.stringValue ?? "?"
        let end = now()
        line("proposal \(id) is \(state)")
        let unapproved = panel.panel.filter { $0.at >= start && !isApproved($0.fingerprint) }
        return DrillRow(id: "a", name: "stolen admin password: the Ukrainian flag proposed and published without approvers",
                        outcome: refusal.contains("403") ? "refused (403): not an approver key; proposal \(state)" : "NOT REFUSED: \(refusal.prefix(60))",
                        detect: "\(DrillRow.seconds(refusedAfter)) (the refusal)", contain: "nothing reached the screen",
                        showed: shown(from: start, to: end), expectedVerdict: "as approved",
                        moment: Instant(millisecondsSince1970: (start + end) / 2),
                        passed: refusal.contains("403") && state == "open" && unapproved.isEmpty)
    }

    /// An attack on the player's update path through the mirror: waits for the player's refusal.
    func refusedUpdate(_ id: String, _ title: String, name: String, files: [String: [UInt8]], attackFrom: (() -> Void)? = nil,
                       recover: (() async throws -> String)? = nil) async throws -> DrillRow {
        section("\(id). \(title)")
        let start = now(), eventID = try await latestEventID()
        mirror.override(files)
        attackFrom?()
        let attackAt = now()
        let event = try await waitForEvent(after: eventID, within: 20) { $0["action"]?.stringValue == "alert.update.refused" && $0["subject"] == .string(Self.screen) }
        mirror.passThrough()
        let why = event.map { Self.detail($0)["detail"]?.stringValue ?? "?" } ?? "NOT DETECTED"
        line("the player refused the update: \(why)")
        var outcome = event == nil ? "NOT DETECTED" : "refused: \(why.prefix(90))"
        if let recover {
            let recovered = try await recover()
            line(recovered)
            outcome += "; \(recovered)"
        }
        try await Task.sleep(for: .seconds(1))
        let end = now()
        let unapproved = panel.panel.filter { $0.at >= start && !isApproved($0.fingerprint) }
        return DrillRow(id: id, name: name, outcome: outcome, detect: event.map { DrillRow.seconds(milliseconds: Self.time($0) - attackAt) } ?? "NOT DETECTED",
                        contain: "nothing reached the screen", showed: shown(from: start, to: end), expectedVerdict: "as approved",
                        moment: Instant(millisecondsSince1970: (attackAt + end) / 2), passed: event != nil && unapproved.isEmpty)
    }

    func stolenOnlineKeys(forged: [UInt8], recover: @escaping () async throws -> String) async throws -> DrillRow {
        let files = try StolenOnlineKeys(serverFolder: network.serverFolder).forgedRelease(programme: forged, now: clock.now().tufTime)
        return try await refusedUpdate("b", "The stolen server and its online keys: the Ukrainian flag in metadata signed with the snapshot and timestamp keys, served by the mirror",
                                       name: "stolen server and online keys: forged metadata with the Ukrainian flag", files: files, recover: recover)
    }

    func rollback(replaying timestamp: [UInt8]) async throws -> DrillRow {
        try await refusedUpdate("c", "Rollback: the mirror replays release 1's metadata, signed and genuine, but older",
                                name: "rollback: an older approved release replayed", files: ["metadata/timestamp.json": timestamp])
    }

    func freeze() async throws -> DrillRow {
        let current = try await admin.get("/repository/metadata/timestamp.json")
        let expires = try Metadata<Timestamp>(bytes: current).signed.expires
        let jump = max(0, expires.secondsSince1970 * 1000 - now()) + 1_000
        return try await refusedUpdate("d", "Freeze: the mirror withholds every newer timestamp, and the clock moves past the withheld one's expiry (\(jump / 1000) s on)",
                                       name: "freeze: updates withheld beyond the freshness window", files: ["metadata/timestamp.json": current],
                                       attackFrom: { clock.advance(milliseconds: jump) })
    }

    // MARK: e–f: faults and attacks downstream of the player

    func downstream(_ id: String, _ title: String, name: String, tamper: DrillPanel.Tamper, restoring welcome: Fingerprint) async throws -> DrillRow {
        section("\(id). \(title)")
        let eventID = try await latestEventID(), start = now()
        panel.setTamper(tamper)
        // The first wrong picture on the panel: the fault's start.
        var first: DrillPanel.Shown?
        let deadline = ContinuousClock.now + .seconds(5)
        while first == nil, ContinuousClock.now < deadline {
            first = panel.panel.first { $0.at >= start && !isApproved($0.fingerprint) }
            if first == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let first else { throw CLIError("\(id): the panel never showed a wrong picture") }
        let event = try await waitForEvent(after: eventID, within: 5) { $0["action"]?.stringValue == "alert.display.display_mismatch" }
        // Contained: from a picture on, every picture is approved (held 2 s to be sure).
        var contained: Int64?
        let settle = ContinuousClock.now + .seconds(8)
        while ContinuousClock.now < settle {
            let after = panel.panel.filter { $0.at >= first.at }
            if let last = after.lastIndex(where: { !isApproved($0.fingerprint) }), last + 1 < after.count {
                contained = after[last + 1].at
                if now() - contained! >= 2_000 { break }
            } else {
                contained = nil
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let steps = try await containmentSteps(after: eventID)
        let during = shown(from: start, to: now())
        panel.setTamper(.none)
        line("the panel: \(during)")
        line("the player: \(steps.joined(separator: "; "))")
        let detected = event.map { Self.time($0) - first.at }
        let containedAfter = contained.map { $0 - first.at }
        line("detected after \(detected.map { DrillRow.seconds(milliseconds: $0) } ?? "NEVER"); contained after \(containedAfter.map { DrillRow.seconds(milliseconds: $0) } ?? "NEVER")")
        let moment = try await recordMoment(from: first.at) { $0["capture"]?.stringValue == "mismatch" && $0["mode"]?.stringValue == "programme" }
        try await command("restore")
        try await waitForPanel(within: 10) { $0.matches(welcome) }
        line("operator restored the screen: \(self.name(panel.panel.last!.fingerprint))")
        let passed = (detected ?? .max) < 1_000 && (containedAfter ?? .max) < 2_000
        return DrillRow(id: id, name: name, outcome: "contained: " + steps.joined(separator: ", "),
                        detect: detected.map { DrillRow.seconds(milliseconds: $0) } ?? "NOT DETECTED",
                        contain: containedAfter.map { DrillRow.seconds(milliseconds: $0) } ?? "NOT CONTAINED",
                        showed: during, expectedVerdict: "downstream fault or attack", moment: moment, passed: passed)
    }

    /// The containment steps the player reported after `id`, in order.
    func containmentSteps(after id: Int64) async throws -> [String] {
        let events = (try await admin.getJSON("/api/v1/audit?after=\(id)")["events"]?.arrayValue ?? []).compactMap(\.objectValue)
        return events.filter { $0["action"]?.stringValue == "alert.display.containment" }.compactMap { Self.detail($0)["step"]?.stringValue }
    }

    func compromisedController(welcome: Fingerprint) async throws -> DrillRow {
        try await downstream("e", "A compromised LED controller: it shows the Ukrainian flag whenever the player sends the welcome",
                             name: "compromised controller downstream: the capture shows the Ukrainian flag",
                             tamper: .swap(target: welcome, replacement: forged), restoring: welcome)
    }

    func cableFault() async throws -> DrillRow {
        guard let welcome = approved.first(where: { $0.name.hasPrefix("welcome") })?.fingerprint else { throw CLIError("no welcome slide") }
        return try await downstream("f", "A cable fault: the panel loses its red channel", name: "cable fault: the capture loses one colour channel",
                                    tamper: .dropRed, restoring: welcome)
    }

    // MARK: g: a replayed command

    func replayedBlank() async throws -> DrillRow {
        section("g. A replayed blank: the operator blanks and restores; the relay sends the blank's signed bytes again")
        try await command("blank")
        try await waitForPanel(within: 5) { $0.matches(approved[0].fingerprint) }
        try await command("restore")
        guard let welcome = approved.first(where: { $0.name.hasPrefix("welcome") })?.fingerprint else { throw CLIError("no welcome slide") }
        try await waitForPanel(within: 5) { $0.matches(welcome) }
        guard let blank = relay.captured(DrillRelay.markers[0]) else { throw CLIError("the relay saw no blank command") }
        let eventID = try await latestEventID(), start = now()
        let channels = relay.replay(blank)
        line("the relay sent the captured blank (\(blank.count) bytes) into \(channels) open channel(s)")
        let event = try await waitForEvent(after: eventID, within: 5) { $0["action"]?.stringValue == "alert.command.refused" }
        try await Task.sleep(for: .seconds(2))
        let end = now()
        let why = event.map { Self.detail($0)["result"]?.stringValue ?? "?" } ?? "NOT DETECTED"
        line("the player: \(why)")
        let blanked = panel.panel.contains { $0.at >= start && $0.fingerprint.matches(approved[0].fingerprint) }
        return DrillRow(id: "g", name: "a replayed blank command", outcome: event == nil ? "NOT DETECTED" : "refused by the player: \(why.prefix(80))",
                        detect: event.map { DrillRow.seconds(milliseconds: Self.time($0) - start) } ?? "NOT DETECTED",
                        contain: blanked ? "THE SCREEN WENT BLACK" : "nothing reached the screen", showed: shown(from: start, to: end),
                        expectedVerdict: "as approved", moment: Instant(millisecondsSince1970: (start + end) / 2),
                        passed: event != nil && !blanked && channels > 0)
    }
}
