import Foundation
import SignetTestSupport
import Testing

@testable import SignetCore

@Suite("Proof of play: chained records in signed batches")
struct ProofOfPlayTests {
    let key = try! KeyTests.rfc8032Key()
    let start: Int64 = 1_732_665_600_000  // 2024-11-27 00:00 UTC

    func chain(_ count: Int, screen: String = "astana-1", after head: PlayChainHead? = nil) -> [PlayRecord] {
        playChain(count, screen: screen, after: head, start: start)
    }

    func batch(_ records: [PlayRecord], screen: String = "astana-1") throws -> PlayBatch {
        try PlayBatch(bytes: try PlayBatch.sign(records, screen: screen, key: key), key: key.publicKey, screen: screen)
    }

    @Test func aRecordHashesItsCanonicalJSON() throws {
        let record = PlayRecord(sequence: 1, previous: PlayRecord.genesis, screen: "astana-1", mode: .programme, slide: "welcome", release: 3,
                                start: start, end: start + 10_000, fingerprint: "v1:00ff")
        // Python: sha256(json.dumps(record, sort_keys=True, separators=(",", ":")))
        #expect(record.hash == "29c7b4f5c67873fec254c94e8942d14286c01ddbe6a47aae647dbe0bd3c08e0a")
        #expect(try PlayRecord(json: .object(record.jsonObject())) == record)
    }

    @Test func aRecordCarriesWhatTheCaptureSawAndWhatContainmentHeld() throws {
        let approved = "v1:" + String(repeating: "ab", count: 192), seen = "v1:" + String(repeating: "cd", count: 192)
        var record = PlayRecord(sequence: 2, previous: PlayRecord.genesis, screen: "astana-1", mode: .programme, slide: "welcome", release: 3,
                                start: start, end: start + 900, fingerprint: approved, expected: approved, capture: .mismatch, captured: seen)
        #expect(try PlayRecord(json: .object(record.jsonObject())) == record)
        // A new capture state or containment is a new showing; the captured picture alone is not.
        var other = record
        other.captured = approved
        #expect(record.showsSame(as: other))
        other.capture = .match
        #expect(!record.showsSame(as: other))
        record.mode = .safe
        record.slide = "safe"
        record.contained = "safe slide"
        #expect(try PlayRecord(json: .object(record.jsonObject())).contained == "safe slide")
        var bad = record.jsonObject()
        bad["capture"] = "blurry"
        #expect(throws: PlayProofError("record.capture \"blurry\" is not one of match, mismatch, missing")) { try PlayRecord(json: .object(bad)) }
        bad["capture"] = "match"
        #expect(throws: PlayProofError("record.captured: only with capture mismatch")) { try PlayRecord(json: .object(bad)) }
    }

    @Test func aSignedBatchVerifiesAndExtendsTheChain() throws {
        let records = chain(5)
        let verified = try batch(records)
        #expect(verified.records == records)
        #expect(verified.keyID == key.keyID)
        #expect(try verified.extending(nil) == records)
        let head = PlayChainHead(sequence: 5, hash: records[4].hash)
        let next = chain(3, after: head)
        #expect(try batch(next).extending(head) == next)
        // Sent again with the records the verifier holds (an answer was lost): only the new ones.
        #expect(try batch(Array(records[3...]) + next).extending(head) == next)
        #expect(try batch(records).extending(head).isEmpty)
    }

    @Test func changedDroppedOrReorderedRecordsAreRefused() throws {
        let records = chain(4)
        var changed = records
        changed[1].slide = "ukrainian-flag"
        #expect(throws: PlayProofError("batch.signed.records[2] does not follow record 2: the chain is broken")) { try batch(changed) }
        #expect(throws: PlayProofError("batch.signed.records[2] does not follow record 2: the chain is broken")) {
            try batch([records[0], records[1], records[3]])
        }
        #expect(throws: PlayProofError("batch.signed.records[1] does not follow record 1: the chain is broken")) {
            try batch([records[0], records[2], records[1]])
        }
        // A rewritten history that is consistent in itself still differs from what was accepted.
        let head = PlayChainHead(sequence: 2, hash: records[1].hash)
        var rewritten = chain(4)
        rewritten[1].end += 1
        for index in 2..<rewritten.count { rewritten[index].previous = rewritten[index - 1].hash }
        #expect(throws: PlayProofError("record 2 differs from the one accepted before: the chain was rewritten")) {
            try batch(rewritten).extending(head)
        }
        #expect(throws: PlayProofError("records 3 to 3 are missing: the chain has a gap")) {
            try batch(Array(records[3...])).extending(head)
        }
        #expect(throws: PlayProofError("the chain starts at record 1 after 00000000...; this batch starts at 3")) {
            try batch(Array(records[2...])).extending(nil)
        }
    }

    @Test func onlyTheDeviceKeyAndTheScreenItself() throws {
        let records = chain(2)
        let bytes = try PlayBatch.sign(records, screen: "astana-1", key: key)
        let other = try SigningKey.generate()
        #expect(throws: PlayProofError("batch: not signed by the screen's device key \(other.keyID.prefix(16))")) {
            try PlayBatch(bytes: bytes, key: other.publicKey, screen: "astana-1")
        }
        #expect(throws: PlayProofError("batch.signed.screen: the batch is not for screen astana-2")) {
            try PlayBatch(bytes: bytes, key: key.publicKey, screen: "astana-2")
        }
        let foreign = chain(2, screen: "astana-2")
        #expect(throws: PlayProofError("batch.signed.records[0].screen is not astana-1")) {
            try PlayBatch(bytes: try PlayBatch.sign(foreign, screen: "astana-1", key: key), key: key.publicKey, screen: "astana-1")
        }
        // The signature covers every byte that counts: one changed digit fails it.
        let tampered = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"slide-1\"", with: "\"slide-9\"")
        #expect(throws: PlayProofError("batch: not signed by the screen's device key \(key.keyID.prefix(16))")) {
            try PlayBatch(bytes: Array(tampered.utf8), key: key.publicKey, screen: "astana-1")
        }
    }

    @Test func malformedBatchesSayWhatIsWrong() throws {
        func refusal(_ text: String) -> String? {
            do { _ = try PlayBatch(bytes: Array(text.utf8), key: key.publicKey, screen: "s"); return nil } catch { return error.description }
        }
        #expect(refusal("[]") == #"batch: {"signed": ..., "signatures": [...]} and nothing else"#)
        #expect(refusal(#"{"signed":{"_type":"signet-command"},"signatures":[]}"#) == "batch.signed._type: signet-play-batch")
        #expect(refusal(#"{"signed":{"_type":"signet-play-batch","screen":"s","extra":1},"signatures":[]}"#) == "batch.signed.extra is not a batch field")
        #expect(refusal(#"{"signed":{"_type":"signet-play-batch","screen":"s","records":[]},"signatures":[]}"#)
                == "batch: not signed by the screen's device key \(key.keyID.prefix(16))")
        let empty = try PlayBatch.sign([], screen: "s", key: key)
        #expect(throws: PlayProofError("batch.signed.records: 1 to 500 records")) { try PlayBatch(bytes: empty, key: key.publicKey, screen: "s") }
        var record = chain(1, screen: "s")[0].jsonObject()
        record["end"] = .integer(start - 1)
        #expect(throws: PlayProofError("record: start must be a positive time and end not before it")) { try PlayRecord(json: .object(record)) }
        record["end"] = .integer(start)
        record["mode"] = "black"
        #expect(throws: PlayProofError("record.slide: none when the mode is black")) { try PlayRecord(json: .object(record)) }
        record["mode"] = "safe"
        record["slide"] = nil
        #expect(throws: PlayProofError("record.slide: required when the mode is safe")) { try PlayRecord(json: .object(record)) }
        record["mode"] = "programme"  // outside its hours the programme shows nothing
        #expect(try PlayRecord(json: .object(record)).slide == nil)
        record["mode"] = "dimmed"
        #expect(throws: PlayProofError("record.mode \"dimmed\" is not one of programme, safe, black")) { try PlayRecord(json: .object(record)) }
        record["mode"] = "programme"
        record["comment"] = "x"
        #expect(throws: PlayProofError("record.comment is not a proof-of-play field")) { try PlayRecord(json: .object(record)) }
    }
}
