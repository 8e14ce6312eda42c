import Foundation
import SignetCore

/// A proof-of-play record as the server holds it: the device's record, the key whose chain it is
/// in, and the signed batch it came in (kept whole, so its signature can be checked again later).
/// One device key's chain of proofs of play for one screen.
struct PlayChain: Hashable {
    let screen: String
    let keyID: String
}

public struct StoredPlayRecord: Sendable, Equatable {
    public let record: PlayRecord
    public let keyID: String
    public let hash: String
    public let batch: Int64
}

/// A verified batch of proofs of play as it arrived, waiting to be written with the others that
/// arrived meanwhile.
struct PlaySubmission: Sendable {
    let batch: PlayBatch
    let signed: [UInt8]
    let key: PublicKey
    let address: String
    let at: Instant
}

/// What a stored batch added to its chain: how many records were new, and the head after them.
struct StoredPlays: Sendable, Equatable {
    let added: Int
    let head: PlayChainHead
}

extension ServerStore {

    /// Stores the records of verified batches that extend their devices' chains, in one
    /// transaction with reading the chains' heads, so that two batches cannot both extend one.
    /// Each batch's answer is its own: one that does not extend its chain is refused and the others
    /// are stored. Each stored batch is also an entry of the transparency log (its signed bytes'
    /// hash and the chain's new head), in the same transaction.
    /// One transaction for many: every screen sends a batch a minute, and one transaction each
    /// (ten statements under the one writer) left fleet-wide commands queueing behind them.
    func storePlays(_ submissions: [PlaySubmission]) async throws -> [Result<StoredPlays, PlayProofError>] {
        try await database.write { db in
            var heads = try Self.playChainHeads(screens: Set(submissions.map(\.batch.screen)), db)
            var results: [Result<StoredPlays, PlayProofError>] = []
            var accepted: [(submission: PlaySubmission, records: [PlayRecord])] = []
            for submission in submissions {
                let batch = submission.batch, chain = PlayChain(screen: batch.screen, keyID: batch.keyID)
                let new: [PlayRecord]
                do throws(PlayProofError) { new = try batch.extending(heads[chain]) } catch {
                    results.append(.failure(error))
                    continue
                }
                guard let last = new.last else {
                    results.append(heads[chain].map { .success(StoredPlays(added: 0, head: $0)) } ?? .failure(PlayProofError("the batch holds no records")))
                    continue
                }
                heads[chain] = PlayChainHead(sequence: last.sequence, hash: last.hash)
                accepted.append((submission, new))
                results.append(.success(StoredPlays(added: new.count, head: heads[chain]!)))
            }
            guard !accepted.isEmpty else { return results }
            let firstIndex = try Self.record(accepted.map { submission, new in
                LoggedEvent(at: submission.at, actor: "device \(submission.batch.screen)", action: "play.batch", subject: submission.batch.screen,
                            address: submission.address,
                            detail: ["added": .integer(Int64(new.count)), "through": .integer(new.last!.sequence), "head": .string(new.last!.hash),
                                     "sha256": .string(HashAlgorithm.digest("sha256", of: submission.signed)!)])
            }, db)
            var rows: [[SQLValue]] = []
            for (offset, (submission, new)) in accepted.enumerated() {
                let batch = submission.batch
                let batchID = try db.insertReturningID(
                    sql: "INSERT INTO play_batch (screen_id, key_id, public_key, received_ms, signed, log_index) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [batch.screen, batch.keyID, String(decoding: CanonicalJSON.encode(.object(submission.key.json)), as: UTF8.self),
                                submission.at.millisecondsSince1970, Data(submission.signed), firstIndex + Int64(offset)])
                for record in new {
                    rows.append([.text(record.screen), .text(batch.keyID), .integer(record.sequence), .text(record.hash), .text(record.previous),
                                 .text(record.mode.rawValue), record.slide.sqlValue, record.release.sqlValue, .integer(record.start),
                                 .integer(record.end), record.fingerprint.sqlValue, record.expected.sqlValue, (record.capture?.rawValue).sqlValue,
                                 record.captured.sqlValue, record.contained.sqlValue, .integer(batchID)])
                }
            }
            try db.insertRows(into: "play_record", columns: ["screen_id", "key_id", "sequence", "hash", "previous", "mode", "slide", "release",
                                                            "start_ms", "end_ms", "fingerprint", "expected", "capture", "captured", "contained",
                                                            "batch_id"], rows)
            return results
        }
    }

    /// The last record of every chain of `screens`.
    static func playChainHeads(screens: Set<String>, _ db: any SQLConnection) throws -> [PlayChain: PlayChainHead] {
        var heads: [PlayChain: PlayChainHead] = [:]
        let screens = Array(screens)
        for start in stride(from: 0, to: screens.count, by: 500) {
            let chunk = Array(screens[start..<min(start + 500, screens.count)])
            let rows = try db.fetchAll(sql: """
                SELECT screen_id, key_id, sequence, hash FROM play_record WHERE (screen_id, key_id, sequence) IN
                  (SELECT screen_id, key_id, MAX(sequence) FROM play_record
                   WHERE screen_id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", "))) GROUP BY screen_id, key_id)
                """, arguments: SQLArguments(chunk))
            for row in rows {
                heads[PlayChain(screen: row["screen_id"], keyID: row["key_id"])] = PlayChainHead(sequence: row["sequence"], hash: row["hash"])
            }
        }
        return heads
    }

    /// How many proofs of play the server holds, of every screen.
    public func playRecordCount() async throws -> Int {
        try await database.read { db in try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM play_record") ?? 0 }
    }

    /// A screen's records that overlap `from...to` (device time), oldest first, at most `limit`.
    public func plays(screen: String, from: Int64, to: Int64, limit: Int) async throws -> [StoredPlayRecord] {
        try await database.read { db in
            try db.fetchAll(sql: """
                SELECT * FROM play_record WHERE screen_id = ? AND end_ms >= ? AND start_ms <= ? ORDER BY start_ms, key_id, sequence LIMIT ?
                """, arguments: [screen, from, to, limit]).map { row in
                let mode = PlayRecord.Mode(rawValue: row["mode"]) ?? .black
                let record = PlayRecord(sequence: row["sequence"], previous: row["previous"], screen: row["screen_id"], mode: mode,
                                        slide: row["slide"], release: row["release"], start: row["start_ms"], end: row["end_ms"],
                                        fingerprint: row["fingerprint"], expected: row["expected"],
                                        capture: (row["capture"] as String?).flatMap(PlayRecord.Capture.init), captured: row["captured"], contained: row["contained"])
                return StoredPlayRecord(record: record, keyID: row["key_id"], hash: row["hash"], batch: row["batch_id"])
            }
        }
    }
}
