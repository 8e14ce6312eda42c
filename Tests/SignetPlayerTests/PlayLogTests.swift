import Foundation
import SignetCore
import Testing

@testable import SignetPlayer

@Suite("Proofs of play stay on the device until the server holds them")
struct PlayLogTests {
    let key = try! SigningKey.generate()
    let t0: Int64 = 1_732_665_600_000

    func withFile(_ body: (String) async throws -> Void) async throws {
        let folder = NSTemporaryDirectory() + "signet-plays-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await body("\(folder)/proof-of-play.json")
    }

    @Test func showingsBecomeChainedRecordsThatSurviveARestart() async throws {
        try await withFile { path in
            let log = try PlayLog(path: path, screen: "astana-1", keyID: key.keyID)
            try await log.observe(mode: .programme, slide: "welcome", release: 1, fingerprint: "v1:aa", at: t0)
            try await log.observe(mode: .programme, slide: "welcome", release: 1, fingerprint: "v1:aa", at: t0 + 1_000)
            try await log.observe(mode: .programme, slide: "flags", release: 1, fingerprint: "v1:bb", at: t0 + 5_000)
            try await log.observe(mode: .programme, slide: nil, release: 1, fingerprint: "v1:00", at: t0 + 7_000)  // nothing scheduled
            try await log.observe(mode: .black, slide: "flags", release: 1, fingerprint: "v1:00", at: t0 + 9_000)
            try await log.checkpoint(at: t0 + 12_000)
            let closed = await log.unacknowledged()
            #expect(closed.map(\.slide) == ["welcome", "flags", nil])
            #expect(closed.map(\.start) == [t0, t0 + 5_000, t0 + 7_000] && closed.map(\.end) == [t0 + 5_000, t0 + 7_000, t0 + 9_000])

            // A power cut now: the showing in progress ends at its last checkpoint, in the same chain.
            let restarted = try PlayLog(path: path, screen: "astana-1", keyID: key.keyID)
            let records = await restarted.unacknowledged()
            #expect(records.count == 4)
            #expect(records[3].mode == .black && records[3].slide == nil && records[3].start == t0 + 9_000 && records[3].end == t0 + 12_000)
            let batch = try PlayBatch(bytes: try PlayBatch.sign(records, screen: "astana-1", key: key), key: key.publicKey, screen: "astana-1")
            #expect(try batch.extending(nil) == records)

            // Acknowledged records leave the disk; the rest stay, and the chain goes on from the last.
            try await restarted.acknowledged(through: 3)
            try await restarted.observe(mode: .safe, slide: "safe", release: 1, fingerprint: "v1:cc", at: t0 + 13_000)
            try await restarted.observe(mode: .programme, slide: "welcome", release: 2, fingerprint: "v1:aa", at: t0 + 14_000)
            let after = await try PlayLog(path: path, screen: "astana-1", keyID: key.keyID).unacknowledged()
            #expect(after.map(\.sequence) == [4, 5, 6])
            #expect(after[1].previous == after[0].hash && after[0].hash == records[3].hash)
            #expect(after[1].mode == .safe && after[2].release == 2)
        }
    }

    @Test func aNewDeviceKeyStartsANewChainAndADamagedFileIsNotReplaced() async throws {
        try await withFile { path in
            let log = try PlayLog(path: path, screen: "astana-1", keyID: key.keyID)
            try await log.observe(mode: .programme, slide: "welcome", release: 1, fingerprint: nil, at: t0)
            try await log.checkpoint(at: t0 + 1_000)
            #expect(await try PlayLog(path: path, screen: "astana-1", keyID: "another key").unacknowledged().isEmpty)

            try Data("{\"key\": \"\(key.keyID)\", \"pending\": [{\"sequence\": 0}]}".utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: PlayerError.self) { try PlayLog(path: path, screen: "astana-1", keyID: key.keyID) }
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"sequence\": 0"))
        }
    }
}
