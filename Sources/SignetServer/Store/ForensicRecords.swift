import Foundation
import SignetCore
import SignetForensics

/// What the database holds about one screen in a span of time, for forensics: the records and
/// the bytes they were signed as, and where each is in the transparency log.
struct ForensicRecords: Sendable {
    var plays: [ForensicEvidence.Play] = []
    var batches: [ForensicEvidence.PlayBatchFile] = []
    var commands: [ForensicEvidence.IssuedCommand] = []
    /// Published proposals of the programme versions the plays name, with their signers.
    var releases: [(proposal: ReleaseProposal, signers: [ForensicEvidence.Signer], publishLogIndex: Int64?)] = []
}

extension ServerStore {
    /// The actions whose log entries forensics looks up by what they are about. Each has an index
    /// of its own rows only: an index of every audit event would slow the busiest writes (proofs
    /// of play, acknowledgements) for lookups they never need. A play batch names its entry itself.
    static let citedActions = ["device.enroll", "release.sign", "release.publish", "command.issue"]


    func forensicRecords(screen: String, from: Instant, to: Instant, limit: Int = 500) async throws -> ForensicRecords {
        let plays = try await self.plays(screen: screen, from: from.millisecondsSince1970, to: to.millisecondsSince1970, limit: limit)
        return try await database.read { db in
            var records = ForensicRecords()
            records.plays = plays.map { ForensicEvidence.Play(record: $0.record, key: $0.keyID, batch: $0.batch) }
            // The log index of the newest event of `action` (one of `citedActions`, named in the
            // SQL so that its own index serves it) about `subject`, logged within `times`
            // (milliseconds), whose details pass `matches`.
            func logIndex(_ action: String, _ subject: String, at times: ClosedRange<Int64> = Int64.min...Int64.max, actor: String? = nil,
                          _ matches: (JSONObject) -> Bool) throws -> Int64? {
                precondition(Self.citedActions.contains(action))
                let rows = try db.fetchAll(sql: """
                    SELECT log_index, detail, actor FROM audit_event
                    WHERE action = '\(action)' AND subject = ? AND at_ms BETWEEN ? AND ? AND log_index IS NOT NULL ORDER BY at_ms DESC, id DESC
                    """, arguments: [subject, times.lowerBound, times.upperBound])
                return rows.first { row in
                    guard actor == nil || row["actor"] as String == actor!,
                          let detail = (try? JSONParser().parse(Array((row["detail"] as String).utf8)))?.objectValue else { return false }
                    return matches(detail)
                }?["log_index"]
            }
            for id in Set(plays.map(\.batch)).sorted() {
                guard let row = try db.fetchOne(sql: "SELECT * FROM play_batch WHERE id = ?", arguments: [id]) else { continue }
                let signed = Array(row["signed"] as Data)
                let key = try PublicKey(json: try JSONParser().parse(Array((row["public_key"] as String).utf8)))
                records.batches.append(ForensicEvidence.PlayBatchFile(
                    id: id, signed: signed, publicKey: key,
                    logIndex: row["log_index"],
                    enrollLogIndex: try logIndex("device.enroll", screen) { $0["key_id"]?.stringValue == key.keyID }))
            }
            for row in try db.fetchAll(sql: "SELECT * FROM command WHERE screen_id = ? AND issued_ms BETWEEN ? AND ? ORDER BY id LIMIT ?",
                                        arguments: [screen, from.millisecondsSince1970, to.millisecondsSince1970, limit]) {
                let issued = try Self.issuedCommand(from: row, db, trees: batchTrees)
                records.commands.append(ForensicEvidence.IssuedCommand(
                    id: issued.id, issuedBy: issued.issuedBy, issuedAt: issued.issuedAt, acknowledgedAt: issued.acknowledgedAt, result: issued.result,
                    document: issued.signed,
                    // Logged once the batch is signed and sent: within a minute of its numbering.
                    logIndex: try logIndex("command.issue", issued.action, at: issued.issuedAt.millisecondsSince1970...issued.issuedAt.millisecondsSince1970 + 60_000,
                                           actor: issued.issuedBy) {
                        ($0["first_id"]?.integerValue ?? .max) <= issued.id && issued.id <= ($0["last_id"]?.integerValue ?? .min)
                    }))
            }
            let versions = Set(plays.compactMap(\.record.release)).sorted()
            for version in versions {
                for row in try db.fetchAll(sql: "SELECT * FROM release_proposal WHERE programme_version = ? AND state = 'published'", arguments: [version]) {
                    let proposal = Self.proposal(from: row)
                    let subject = "proposal \(proposal.id)"
                    let signers = try db.fetchAll(sql: "SELECT * FROM release_signature WHERE proposal_id = ? ORDER BY at_ms", arguments: [proposal.id])
                        .map { signer in
                            let keyID: String = signer["key_id"], sig: String = signer["sig"]
                            return ForensicEvidence.Signer(keyID: keyID, account: signer["account"], at: Instant(millisecondsSince1970: signer["at_ms"]),
                                                           logIndex: try logIndex("release.sign", subject) { $0["sig"]?.stringValue == sig })
                        }
                    records.releases.append((proposal, signers, try logIndex("release.publish", subject) { _ in true }))
                }
            }
            return records
        }
    }

    /// Log entries with their inclusion proofs in a tree of `size`.
    func logEntries(_ indices: Set<Int64>, size: Int64) async throws -> [ForensicEvidence.LogEntry] {
        var entries: [ForensicEvidence.LogEntry] = []
        for index in indices.sorted() where index < size {
            guard let entry = try await logEntries(from: index, count: 1).first?.entry,
                  let proof = try await logInclusionProof(index: index, size: size) else { continue }
            entries.append(ForensicEvidence.LogEntry(index: index, entry: entry, proof: proof))
        }
        return entries
    }
}
