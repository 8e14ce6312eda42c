import Foundation
import SignetCore
import Testing

@testable import SignetPlayer

@Suite("The player's verified cache switches programmes whole or not at all")
struct ContentCacheTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples/state-visit").standardized
    static let programme = Array(try! Data(contentsOf: example.appendingPathComponent("programme.json")))
    static let flag = Array(try! Data(contentsOf: example.appendingPathComponent("kazakhstan.png")))

    func cache() throws -> ContentCache {
        try ContentCache(folder: NSTemporaryDirectory() + "signet-cache-\(UUID().uuidString)")
    }

    @Test func aProgrammeBecomesCurrentOnlyWithEveryAsset() throws {
        let cache = try cache()
        defer { try? FileManager.default.removeItem(atPath: cache.folder) }
        let document = try cache.store(Self.programme)
        #expect(cache.missing(for: try Programme(bytes: Self.programme)) == [HashAlgorithm.digest("sha256", of: Self.flag)!])
        #expect(throws: PlayerError.self) { try cache.install(programme: document, release: 2) }
        #expect(cache.current() == nil)
        try cache.store(Self.flag)
        let installed = try cache.install(programme: document, release: 2)
        #expect(cache.current()?.current == installed && installed.release == 2 && installed.assets.count == 1)
        #expect(cache.current()?.programme.screens.count == 3)
    }

    @Test func aFailedSwitchLeavesTheOldProgrammeAndDamageIsNeverShown() throws {
        let cache = try cache()
        defer { try? FileManager.default.removeItem(atPath: cache.folder) }
        let old = try cache.store(Self.programme)
        try cache.store(Self.flag)
        _ = try cache.install(programme: old, release: 2)
        // The next release names an asset that never arrived (a cut connection, a killed player):
        // it is not installed and release 2 stays in use.
        let text = String(decoding: Self.programme, as: UTF8.self)
        let other = String(repeating: "ab", count: 32)
        let next = text.replacingOccurrences(of: #""assets": {"#, with: #""assets": {"\#(other)": {"type": "png", "width": 10, "height": 10}, "#)
        let nextHash = try cache.store(Array(next.utf8))
        #expect(throws: PlayerError.self) { try cache.install(programme: nextHash, release: 3) }
        #expect(cache.current()?.current.release == 2)
        // An asset damaged on disk reads as missing, and the programme that needs it is not shown.
        let flagHash = HashAlgorithm.digest("sha256", of: Self.flag)!
        var damaged = Self.flag
        damaged[100] ^= 0xFF
        try Data(damaged).write(to: URL(fileURLWithPath: "\(cache.folder)/objects/\(flagHash)"))
        #expect(cache.object(flagHash) == nil && cache.current() == nil)
        try Data(Self.flag).write(to: URL(fileURLWithPath: "\(cache.folder)/objects/\(flagHash)"))
        #expect(cache.current()?.current.release == 2)
        // A pointer that is not ours reads as no programme, not as a crash.
        try Data("{\"programme\": 1}".utf8).write(to: URL(fileURLWithPath: "\(cache.folder)/current.json"))
        #expect(cache.current() == nil)
    }

    @Test func evictionKeepsWhatTheCurrentProgrammeNeeds() throws {
        let cache = try cache()
        defer { try? FileManager.default.removeItem(atPath: cache.folder) }
        let document = try cache.store(Self.programme)
        try cache.store(Self.flag)
        let stale = try cache.store(Array("an old asset".utf8))
        _ = try cache.install(programme: document, release: 2)
        #expect(try cache.evict() == 1)
        #expect(!cache.contains(stale) && cache.current()?.current.release == 2)
        #expect(try cache.evict() == 0)
    }
}
