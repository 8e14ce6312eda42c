import SignetCore
import SignetRender

/// Examines forensic evidence with a root the reader trusts: the roots chain from it, the log's
/// checkpoint is signed by the key they name, every cited log entry is in the checkpoint's tree,
/// the proofs of play are the device's signed, chained records, the release that made the showing
/// legitimate carries enough approvers' signatures, the frame is the one the approved programme
/// makes, and each command is one the commands key signed. Pure: the caller renders.
public struct ForensicExamination {
    /// Renders `programme` for `screen` at a moment: the slide and the frame's fingerprint.
    public typealias Render = (_ programme: Programme, _ screen: String, _ at: Instant) throws -> (slide: String?, fingerprint: Fingerprint)

    let evidence: ForensicEvidence
    var checks: [ForensicReport.Check] = []
    /// Log entries that verified under the checkpoint, by index.
    var logged: [Int64: LoggedEvent] = [:]
    /// Whether the reported frame is the one the approved programme makes (nil: not compared).
    var frameMatches: Bool?

    public static func examine(_ evidence: ForensicEvidence, trustedRoot: [UInt8], render: Render) -> ForensicReport {
        var examination = ForensicExamination(evidence: evidence)
        return examination.run(trustedRoot: trustedRoot, render: render)
    }

    mutating func check(_ passed: Bool, _ what: String) { checks.append(ForensicReport.Check(passed: passed, what: what)) }

    mutating func run(trustedRoot: [UInt8], render: Render) -> ForensicReport {
        let roots = chainRoots(trustedRoot)
        let (origin, size) = verifyLog(roots.last)
        let showing = verifyPlays()
        var release: ForensicReport.Release?
        var frame: String?
        if let showing, let version = showing.release, !roots.isEmpty {
            let found = verifyRelease(programmeVersion: version, roots: roots)
            release = found?.report
            if let programme = found?.programme, showing.mode == .programme {
                frame = compareFrame(showing, programme: programme, render: render)
            }
        }
        if let showing, showing.mode != .programme { frame = showing.contained.map { Self.explainContained(showing, step: $0) } ?? explainCommanded(showing) }
        let display = showing.map { Self.classifyDisplay($0, frameMatches: frameMatches, chain: evidence.plays.map(\.record)) }
        if showing == nil, let last = evidence.plays.map(\.record).filter({ $0.end <= evidence.at.millisecondsSince1970 }).max(by: { $0.end < $1.end }) {
            frame = "no record yet: the screen's last record ends at \(Instant(millisecondsSince1970: last.end).iso8601) "
                + "(a showing is reported when it ends; the screen may still be showing it, or be off)"
        }
        let commands = verifyCommands(root: roots.last)
        return ForensicReport(screen: evidence.screen, at: evidence.at, logOrigin: origin, logSize: size, showing: showing,
                              release: release, frame: frame, display: display, commands: commands, checks: checks)
    }

    // MARK: Roots and the log

    /// The trusted root, then every newer root the evidence holds, each signed by the one before.
    mutating func chainRoots(_ trusted: [UInt8]) -> [Root] {
        do {
            var set = try TrustedMetadataSet(trustedRoot: trusted, referenceTime: evidence.at.tufTime)
            var roots = [set.root.signed]
            for bytes in evidence.roots {
                guard let version = try? Metadata<Root>(bytes: bytes).signed.version, version > set.root.signed.version else { continue }
                roots.append(try set.updateRoot(bytes).signed)
            }
            check(true, "the roots chain from your trusted root v\(roots[0].version) to v\(roots.last!.version)")
            return roots
        } catch {
            check(false, "the roots do not chain from your trusted root: \(error.description)")
            return []
        }
    }

    mutating func verifyLog(_ root: Root?) -> (origin: String?, size: Int64?) {
        guard let root else { return (nil, nil) }
        let checkpoint: Checkpoint, key: NoteKey
        do {
            key = try NoteKey(logOf: root)
            checkpoint = try Checkpoint(note: evidence.checkpoint, verifiedBy: key)
        } catch {
            check(false, "the log's checkpoint is not signed by the key root v\(root.version) names: \(error)")
            return (nil, nil)
        }
        check(true, "the log's checkpoint (\(checkpoint.size) entries) is signed by \(key.name)'s key")
        var bad: [String] = []
        for cited in evidence.entries {
            guard cited.index < checkpoint.size,
                  MerkleTree.verifyInclusion(leafHash: MerkleHash.leaf(cited.entry), index: cited.index, size: checkpoint.size,
                                             proof: cited.proof, root: checkpoint.root)
            else { bad.append("entry \(cited.index)"); continue }
            guard let event = try? LoggedEvent(entry: cited.entry) else { bad.append("entry \(cited.index) (not an event)"); continue }
            logged[cited.index] = event
        }
        check(bad.isEmpty, "\(evidence.entries.count) log entries cited, each in the checkpoint's tree"
              + (bad.isEmpty ? "" : "; not proven: " + bad.joined(separator: ", ")))
        return (checkpoint.origin, checkpoint.size)
    }

    /// The logged event at `index`, if it verified and is the expected action.
    func event(_ index: Int64?, action: String) -> LoggedEvent? {
        guard let index, let event = logged[index], event.action == action else { return nil }
        return event
    }

    // MARK: Proofs of play

    /// Checks every batch and record; returns the record that covers the moment.
    mutating func verifyPlays() -> PlayRecord? {
        var signed: [Int64: [Int64: PlayRecord]] = [:]
        var enrolledKeys: Set<String> = []
        for batch in evidence.batches {
            do {
                let parsed = try PlayBatch(bytes: batch.signed, key: batch.publicKey, screen: evidence.screen)
                signed[batch.id] = Dictionary(parsed.records.map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
                let sha = HashAlgorithm.digest("sha256", of: batch.signed)!
                let entry = event(batch.logIndex, action: "play.batch")
                check(entry?.subject == evidence.screen && entry?.detail["sha256"]?.stringValue == sha,
                      "proof-of-play batch \(batch.id): signed by device key \(batch.publicKey.keyID.prefix(16)), records "
                      + "\(parsed.records.first!.sequence) to \(parsed.records.last!.sequence) chained"
                      + (entry != nil ? ", its SHA-256 in log entry \(batch.logIndex!)" : ", NOT IN THE LOG"))
                guard !enrolledKeys.contains(batch.publicKey.keyID) else { continue }
                enrolledKeys.insert(batch.publicKey.keyID)
                let enrolled = event(batch.enrollLogIndex, action: "device.enroll")
                check(enrolled?.subject == evidence.screen && enrolled?.detail["key_id"]?.stringValue == batch.publicKey.keyID,
                      "device key \(batch.publicKey.keyID.prefix(16)) was enrolled for \(evidence.screen)"
                      + (enrolled != nil ? " (log entry \(batch.enrollLogIndex!))" : ": NO ENROLLMENT IN THE LOG"))
            } catch {
                check(false, "proof-of-play batch \(batch.id) does not verify: \(error.description)")
            }
        }
        var mismatched: [Int64] = [], broken: [Int64] = []
        var previous: [String: ForensicEvidence.Play] = [:]
        for play in evidence.plays.sorted(by: { ($0.key, $0.record.sequence) < ($1.key, $1.record.sequence) }) {
            if signed[play.batch]?[play.record.sequence] != play.record { mismatched.append(play.record.sequence) }
            if let before = previous[play.key], before.record.sequence + 1 == play.record.sequence, play.record.previous != before.record.hash {
                broken.append(play.record.sequence)
            }
            previous[play.key] = play
        }
        check(mismatched.isEmpty, "\(evidence.plays.count) proof-of-play records, each the one in its device-signed batch"
              + (mismatched.isEmpty ? "" : "; NOT AS SIGNED: records " + mismatched.map(String.init).joined(separator: ", ")))
        if !broken.isEmpty { check(false, "the chain breaks before records " + broken.map(String.init).joined(separator: ", ")) }
        let moment = evidence.at.millisecondsSince1970
        return evidence.plays.filter { $0.record.start <= moment && moment < $0.record.end }.map(\.record).last
    }

    // MARK: The release

    mutating func verifyRelease(programmeVersion: Int64, roots: [Root]) -> (report: ForensicReport.Release, programme: Programme?)? {
        let candidates = evidence.releases.compactMap { release in
            (try? Metadata<Targets>(bytes: release.metadata, roleName: release.role)).map { (release, $0) }
        }
        guard let (release, metadata) = candidates.first(where: { release, metadata in
            let path = ReleaseScope.programmePath(group: ReleaseScope.group(ofRole: release.role))
            return metadata.signed.targets[path]?.custom?.objectValue?["programme_version"]?.integerValue == programmeVersion
        }) else {
            check(false, "no published release of programme v\(programmeVersion) is in the evidence")
            return nil
        }
        // Who may sign: the root's targets keys, or the delegation of the network's targets.
        var delegation: (keys: KeyTable, role: RoleKeys)?
        var delegatedBy = "root"
        for root in roots.reversed() {
            if release.role == Targets.type {
                if let found = root.delegation(for: Targets.type), (try? metadata.verify(keys: found.keys, role: found.role, roleName: Targets.type)) != nil {
                    delegation = found
                    delegatedBy = "root v\(root.version)"
                    break
                }
            } else if let bytes = release.delegator, let top = try? Metadata<Targets>(bytes: bytes),
                      let keys = root.delegation(for: Targets.type), (try? top.verify(keys: keys.keys, role: keys.role, roleName: Targets.type)) != nil,
                      let found = top.signed.delegation(for: release.role) {
                delegation = found
                delegatedBy = "targets v\(top.signed.version)"
                break
            }
        }
        let role = delegation?.role ?? roots.last!.delegation(for: Targets.type)!.role
        let keys = delegation?.keys ?? roots.last!.delegation(for: Targets.type)!.keys
        let message = metadata.canonicalSigned
        let approvals = metadata.signatures.map { signature in
            let key = role.keyIDs.contains(signature.keyID) ? keys[signature.keyID] : nil
            let verifies = key.map { key in Hex.decode(signature.signature).map { key.verify(signature: $0, message: message) } ?? false } ?? false
            let signer = release.signers.first { $0.keyID == signature.keyID }
            let entry = event(signer?.logIndex, action: "release.sign")
            return ForensicReport.Approval(keyID: signature.keyID, account: signer?.account, at: signer?.at, verifies: verifies,
                                           logged: entry?.detail["sig"]?.stringValue == signature.signature && entry?.actor == signer?.account)
        }
        let valid = Set(approvals.filter(\.verifies).map(\.keyID)).count
        let legitimate = delegation != nil && Int64(valid) >= role.threshold
        check(legitimate, "\(release.role) v\(metadata.signed.version) (programme v\(programmeVersion)) carries \(valid) valid approver signatures"
              + " of \(role.threshold) required by \(delegatedBy)")
        check(approvals.allSatisfy(\.logged), "every approver signature is in the log as the approver handed it in")
        let publish = event(release.publishLogIndex, action: "release.publish")
        let sha = HashAlgorithm.digest("sha256", of: release.metadata)!
        check(publish?.detail["metadata_sha256"]?.objectValue?.members.contains { $0.value.stringValue == sha } == true,
              "its publication is in the log with the metadata's SHA-256" + (publish == nil ? ": NOT IN THE LOG" : ""))
        var programme: Programme?
        let path = ReleaseScope.programmePath(group: ReleaseScope.group(ofRole: release.role))
        if let info = metadata.signed.targets[path], (try? HashAlgorithm.verify(release.programme, against: info.hashes, what: path)) != nil {
            programme = try? Programme(bytes: release.programme)
            check(programme != nil, "the programme document is the one the release names (\(path))")
        } else {
            check(false, "the programme document is not the one the release names (\(path))")
        }
        let report = ForensicReport.Release(role: release.role, version: metadata.signed.version, programmeVersion: programmeVersion,
                                            proposal: release.proposal, proposedBy: release.proposedBy, threshold: role.threshold,
                                            approvals: approvals, legitimate: legitimate)
        return (report, programme)
    }

    // MARK: The frame

    /// The approved programme rendered at the record's start, against what the player reported.
    mutating func compareFrame(_ showing: PlayRecord, programme: Programme, render: Render) -> String {
        do {
            let expected = try render(programme, evidence.screen, Instant(millisecondsSince1970: showing.start))
            guard expected.slide == showing.slide else {
                check(false, "the approved programme shows \(expected.slide ?? "nothing") then, the player reported \(showing.slide ?? "nothing")")
                return "NOT the approved slide: the approved programme shows \(expected.slide ?? "nothing")"
            }
            guard let reported = showing.fingerprint.flatMap(Fingerprint.init) else {
                check(false, "the record has no frame fingerprint to compare")
                return "slide \(showing.slide ?? "none") as approved; no fingerprint reported"
            }
            let distance = reported.distance(to: expected.fingerprint)
            let matches = distance <= Fingerprint.threshold
            frameMatches = matches
            check(matches, "the frame's fingerprint \(matches ? "matches" : "DOES NOT MATCH") the approved frame (distance \(distance), threshold \(Fingerprint.threshold))")
            return matches ? "the approved frame (fingerprint distance \(distance))" : "NOT the approved frame (fingerprint distance \(distance))"
        } catch {
            check(false, "the approved programme cannot be rendered: \(error)")
            return "not compared: \(error)"
        }
    }

    /// Where the fault was (S5), from the player's signed record of the moment: its frame against
    /// the approved one (rendered here: `frameMatches`, and as the release carried it), and its
    /// capture; for a screen held by containment, the record of the chain that set it off.
    static func classifyDisplay(_ record: PlayRecord, frameMatches: Bool?, chain: [PlayRecord]) -> ForensicReport.Display {
        let reported = record.fingerprint.flatMap(Fingerprint.init)
        if frameMatches == false || Self.mismatches(record) {
            return .init(verdict: DeviceAlert.Classification.player.rawValue,
                         detail: "the player's own frame is not the approved one: the player is compromised or faulty")
        }
        switch record.capture {
        case .mismatch:
            var distance: Int?
            if let captured = record.captured.flatMap(Fingerprint.init), let reported { distance = captured.distance(to: reported) }
            return .init(verdict: DeviceAlert.Classification.downstream.rawValue,
                         detail: "the player output the approved frame; the screen's capture showed another picture"
                            + (distance.map { " (fingerprint distance \($0))" } ?? "") + ": the fault is between the player and the screen")
        case .missing:
            return .init(verdict: DeviceAlert.Classification.capture.rawValue,
                         detail: "the player output \(record.mode == .black ? "black" : "the approved frame"); its capture delivered no picture, so the screen itself is unconfirmed")
        case .match, nil:
            break
        }
        if let step = record.contained {
            // What led to containment: the latest earlier record of the chain that mismatched.
            let earlier = chain.filter { $0.sequence < record.sequence }
            let cause = earlier.filter { $0.capture == PlayRecord.Capture.mismatch || Self.mismatches($0) }.max { $0.sequence < $1.sequence }
            let verdict: DeviceAlert.Classification? = cause.map { Self.mismatches($0) ? .player : .downstream }
            return .init(verdict: verdict?.rawValue ?? "contained",
                         detail: "contained (\(step))" + (cause.map { " after record \($0.sequence) showed a mismatch" } ?? "")
                            + (record.capture == .match ? "; the capture confirms the screen shows it" : ""))
        }
        if record.mode != .programme {
            return .init(verdict: "commanded", detail: "\(record.mode.rawValue) as commanded" + (record.capture == .match ? "; the capture confirms it" : ""))
        }
        return .init(verdict: "as approved", detail: record.capture == .match
                     ? "the player's frame and the screen's capture both match the approved frame"
                     : "the player's frame matches the approved frame (this screen has no capture to confirm the screen)")
    }

    /// Whether a record's frame differs from the fingerprint its release approved for the slide.
    static func mismatches(_ record: PlayRecord) -> Bool {
        guard let reported = record.fingerprint.flatMap(Fingerprint.init), let expected = record.expected.flatMap(Fingerprint.init) else { return false }
        return !reported.matches(expected)
    }

    /// Black or the safe slide held by containment (S5), not by a command.
    static func explainContained(_ showing: PlayRecord, step: String) -> String {
        "\(showing.mode.rawValue), held by the player's containment (\(step)) after the screen did not show the approved frame"
    }

    /// Black or the safe slide: the command that put the screen there, if the evidence has one.
    mutating func explainCommanded(_ showing: PlayRecord) -> String {
        let action = showing.mode == .black ? "blank" : "safe"
        let cause = evidence.commands.compactMap { issued -> (ForensicEvidence.IssuedCommand, Command)? in
            guard let command = try? BatchedCommand(json: try JSONParser().parse(issued.document)).command, command.action.rawValue == action,
                  let acknowledged = issued.acknowledgedAt, acknowledged.millisecondsSince1970 <= showing.start + 5_000 else { return nil }
            return (issued, command)
        }.last
        guard let (issued, _) = cause else {
            if showing.release == nil && showing.mode == .black { return "black: the player had no release yet" }
            check(false, "\(showing.mode.rawValue) with no \(action) command in the evidence to explain it")
            return "\(showing.mode.rawValue), and no command explains it"
        }
        return "\(showing.mode.rawValue) by command \(issued.id) (\(action)) issued by \(issued.issuedBy) at \(issued.issuedAt.iso8601)"
    }

    // MARK: Commands

    mutating func verifyCommands(root: Root?) -> [ForensicReport.CommandSeen] {
        let keys = root.flatMap { try? CommandKeys(root: $0) }
        return evidence.commands.map { issued in
            var verifies = false
            var action = "?", sequence: Int64 = 0
            if let keys, let value = try? JSONParser().parse(issued.document), let batched = try? BatchedCommand(json: value) {
                action = batched.command.action.rawValue
                sequence = batched.command.sequence
                verifies = (try? batched.verify(keys: keys)) != nil && batched.command.screen == evidence.screen
                    && batched.command.id == issued.id && batched.command.issuedBy == issued.issuedBy
            }
            let entry = event(issued.logIndex, action: "command.issue")
            let inLog = entry.map { entry in
                entry.actor == issued.issuedBy && (entry.detail["first_id"]?.integerValue ?? .max) <= issued.id
                    && issued.id <= (entry.detail["last_id"]?.integerValue ?? .min)
            } ?? false
            check(verifies && inLog, "command \(issued.id) (\(action)): "
                  + (verifies ? "signed by the commands key root names, for \(evidence.screen)" : "DOES NOT VERIFY")
                  + (inLog ? ", issued by \(issued.issuedBy) as log entry \(issued.logIndex!) records" : ", NOT IN THE LOG"))
            return ForensicReport.CommandSeen(id: issued.id, action: action, sequence: sequence, issuedBy: issued.issuedBy, issuedAt: issued.issuedAt,
                                              address: inLog ? entry?.address : nil, acknowledgedAt: issued.acknowledgedAt, result: issued.result,
                                              verifies: verifies)
        }
    }
}
