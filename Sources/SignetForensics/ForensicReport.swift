import SignetCore

/// What a screen showed at a moment and why, with every check made on the way: for people as
/// lines of text, for tools as JSON.
public struct ForensicReport: Sendable {
    public struct Check: Sendable {
        public let passed: Bool
        public let what: String
    }

    public struct Approval: Sendable {
        public let keyID: String
        public let account: String?
        public let at: Instant?
        /// The signature verifies over the release's metadata with a key the role trusts.
        public let verifies: Bool
        /// The log holds the signature as the approver handed it in.
        public let logged: Bool
    }

    public struct Release: Sendable {
        public let role: String
        public let version: Int64
        public let programmeVersion: Int64
        public let proposal: Int64
        public let proposedBy: String
        public let threshold: Int64
        public let approvals: [Approval]
        /// Signed by at least `threshold` keys the trusted root (or the delegation) names.
        public let legitimate: Bool
    }

    public struct CommandSeen: Sendable {
        public let id: Int64
        public let action: String
        public let sequence: Int64
        public let issuedBy: String
        public let issuedAt: Instant
        /// Where it was issued from, as the log recorded it.
        public let address: String?
        public let acknowledgedAt: Instant?
        public let result: String?
        public let verifies: Bool
    }

    /// Where the display fault was, if any (S5): `as approved`, `commanded`, `contained`, or one of
    /// `DeviceAlert.Classification`'s classes, with why.
    public struct Display: Sendable, Equatable {
        public let verdict: String
        public let detail: String
    }

    public let screen: String
    public let at: Instant
    public let logOrigin: String?
    public let logSize: Int64?
    /// The proof-of-play record that covers the moment, if any.
    public let showing: PlayRecord?
    public let release: Release?
    /// Whether the frame shown was the one the approved programme makes, in words.
    public let frame: String?
    public let display: Display?
    public let commands: [CommandSeen]
    public let checks: [Check]

    public var passed: Bool { checks.allSatisfy(\.passed) }

    public func lines() -> [String] {
        var lines = ["Screen \(screen) at \(at.iso8601)"]
        if let showing {
            let what = showing.mode == .black ? "black" : "slide \(showing.slide ?? "none") (\(showing.mode.rawValue))"
            lines.append("  showing: \(what) from \(Instant(millisecondsSince1970: showing.start).iso8601) to "
                         + "\(Instant(millisecondsSince1970: showing.end).iso8601), proof-of-play record \(showing.sequence)")
            lines.append("  release: " + (showing.release.map { "programme v\($0)" } ?? "none"))
        } else {
            lines.append("  showing: no proof of play covers this moment")
        }
        if let frame { lines.append("  frame: \(frame)") }
        if let display { lines.append("  display: \(display.verdict): \(display.detail)") }
        if let release {
            lines.append("Why it was legitimate: \(release.role) v\(release.version) (programme v\(release.programmeVersion)), proposal \(release.proposal) by \(release.proposedBy)")
            lines.append("  \(release.approvals.filter(\.verifies).count) of \(release.threshold) approver signatures required verify"
                         + (release.legitimate ? "" : ": NOT ENOUGH"))
            for approval in release.approvals {
                lines.append("  - key \(approval.keyID.prefix(16)) \(approval.account.map { "(\($0))" } ?? "(account unknown)")"
                             + (approval.at.map { " signed at \($0.iso8601)" } ?? "")
                             + (approval.verifies ? ", verifies" : ", DOES NOT VERIFY") + (approval.logged ? ", in the log" : ", NOT IN THE LOG"))
            }
        }
        lines.append("Commands to the screen around then:" + (commands.isEmpty ? " none" : ""))
        for command in commands {
            lines.append("  - \(command.issuedAt.iso8601) \(command.action) (command \(command.id), sequence \(command.sequence)) by \(command.issuedBy)"
                         + " from \(command.address ?? "an unlogged address")"
                         + (command.acknowledgedAt.map { "; acknowledged \($0.iso8601): \(command.result ?? "?")" } ?? "; not acknowledged")
                         + (command.verifies ? "" : "; DOES NOT VERIFY"))
        }
        lines.append("Evidence checks (\(checks.filter(\.passed).count) of \(checks.count) pass):")
        for check in checks { lines.append("  \(check.passed ? "PASS" : "FAIL")  \(check.what)") }
        lines.append(passed ? "Verdict: every proof and signature verifies" : "Verdict: THE EVIDENCE DOES NOT VERIFY (see FAIL above)")
        return lines
    }

    public func jsonValue() -> JSONValue {
        func time(_ instant: Instant?) -> JSONValue { instant.map { .string($0.iso8601) } ?? .null }
        return .object([
            "screen": .string(screen), "at": .string(at.iso8601), "passed": .bool(passed),
            "log": .object(["origin": logOrigin.map(JSONValue.string) ?? .null, "size": logSize.map(JSONValue.integer) ?? .null]),
            "showing": showing.map { .object($0.jsonObject()) } ?? .null,
            "frame": frame.map(JSONValue.string) ?? .null,
            "display": display.map { .object(["verdict": .string($0.verdict), "detail": .string($0.detail)]) } ?? .null,
            "release": release.map { release in
                .object(["role": .string(release.role), "version": .integer(release.version), "programme_version": .integer(release.programmeVersion),
                         "proposal": .integer(release.proposal), "proposed_by": .string(release.proposedBy), "threshold": .integer(release.threshold),
                         "legitimate": .bool(release.legitimate),
                         "approvals": .array(release.approvals.map {
                             .object(["keyid": .string($0.keyID), "account": $0.account.map(JSONValue.string) ?? .null, "at": time($0.at),
                                      "verifies": .bool($0.verifies), "logged": .bool($0.logged)])
                         })])
            } ?? .null,
            "commands": .array(commands.map {
                .object(["id": .integer($0.id), "action": .string($0.action), "sequence": .integer($0.sequence), "issued_by": .string($0.issuedBy),
                         "issued_at": .string($0.issuedAt.iso8601), "address": $0.address.map(JSONValue.string) ?? .null,
                         "acknowledged_at": time($0.acknowledgedAt), "result": $0.result.map(JSONValue.string) ?? .null, "verifies": .bool($0.verifies)])
            }),
            "checks": .array(checks.map { .object(["passed": .bool($0.passed), "what": .string($0.what)]) }),
        ])
    }
}
