import Foundation
import SignetCore

/// A proof-of-play record as the server holds it: the device's record, the key whose chain it is
/// in, and the signed batch it came in (kept whole, so its signature can be checked again later).
public struct StoredPlayRecord: Sendable, Equatable {
    public let record: PlayRecord
    public let keyID: String
    public let hash: String
    public let batch: Int64
}

extension ServerStore {


    /// Stores the records of a verified batch that extend the device's chain, in one transaction
    /// with reading the chain's head, so that two batches cannot both extend it. Returns how many
    /// were new and the head after them.
    /// The batch is also an entry of the transparency log (its signed bytes' hash and the chain's
    /// new head), in the same transaction.
    func storePlays(_ batch: PlayBatch, signed: [UInt8], key: PublicKey, at now: Instant, address: String) async throws
        -> (added: Int, head: PlayChainHead)
    {
        try await database.write { db in
            let head = try db.fetchOne(sql: """
                SELECT sequence, hash FROM play_record WHERE screen_id = ? AND key_id = ? ORDER BY sequence DESC LIMIT 1
                """, arguments: [batch.screen, batch.keyID]).map { PlayChainHead(sequence: $0["sequence"], hash: $0["hash"]) }
            let new = try batch.extending(head)
            guard let last = new.last else {
                guard let head else { throw PlayProofError("the batch holds no records") }
                return (0, head)
            }
            let batchID = try db.insertReturningID(
                sql: "INSERT INTO play_batch (screen_id, key_id, public_key, received_ms, signed) VALUES (?, ?, ?, ?, ?)",
                arguments: [batch.screen, batch.keyID, String(decoding: CanonicalJSON.encode(.object(key.json)), as: UTF8.self),
                            now.millisecondsSince1970, Data(signed)])
            for record in new {
                try db.execute(sql: """
                    INSERT INTO play_record (screen_id, key_id, sequence, hash, previous, mode, slide, release, start_ms, end_ms, fingerprint,
                                             expected, capture, captured, contained, batch_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [record.screen, batch.keyID, record.sequence, record.hash, record.previous, record.mode.rawValue,
                                     record.slide, record.release, record.start, record.end, record.fingerprint,
                                     record.expected, record.capture?.rawValue, record.captured, record.contained, batchID])
            }
            let logIndex = try Self.record([LoggedEvent(at: now, actor: "device \(batch.screen)", action: "play.batch", subject: batch.screen, address: address,
                                                        detail: ["added": .integer(Int64(new.count)), "through": .integer(last.sequence), "head": .string(last.hash),
                                                                 "sha256": .string(HashAlgorithm.digest("sha256", of: signed)!)])], db)
            try db.execute(sql: "UPDATE play_batch SET log_index = ? WHERE id = ?", arguments: [logIndex, batchID])
            return (new.count, PlayChainHead(sequence: last.sequence, hash: last.hash))
        }
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
