import Foundation
import SignetCore
import SignetTestSupport
import SignetTUFClient
import Synchronization
import Testing

@testable import SignetPlayer

@Suite("A player's update: verified files into the cache, then one switch")
struct ReleaseSyncTests {
    let programme = try! Programme(bytes: ContentCacheTests.programme)
    let flagHash = HashAlgorithm.digest("sha256", of: ContentCacheTests.flag)!

    /// A player's folder trusting the repository's root v1: its metadata and its cache.
    func player(_ repository: TestRepository) throws -> (folder: String, cache: ContentCache) {
        let folder = NSTemporaryDirectory() + "signet-player-\(UUID().uuidString)"
        try AtomicFile.createDirectory("\(folder)/metadata")
        try MetadataStore(directory: "\(folder)/metadata").persist(Root.type, repository.file("1.root.json"))
        return (folder, try ContentCache(folder: "\(folder)/cache"))
    }

    func update(_ folder: String, _ fetcher: MemoryFetcher, _ cache: ContentCache, screen: String = "astana-1") async throws -> ContentCache.Current {
        try await ReleaseSync.update(from: ReleaseSource(metadataBaseURL: "mem://r/metadata/", targetsBaseURL: "mem://r/targets/",
                                                         metadataDirectory: "\(folder)/metadata", fetcher: fetcher),
                                     now: TestRepository.start, cache: cache, screen: screen)
    }

    func version(_ number: Int64) -> JSONValue { .object(["programme_version": .integer(number)]) }

    @Test func anUpdateFetchesOnlyWhatIsMissingAndSwitchesOnlyWhenComplete() async throws {
        var repository = try TestRepository()
        try repository.addTarget("assets/\(flagHash)", ContentCacheTests.flag)
        try repository.addTarget("programme.json", ContentCacheTests.programme, custom: version(1))
        var fetcher = MemoryFetcher(repository)
        let (folder, cache) = try player(repository)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await update(folder, fetcher, cache)
        #expect(first.release == 1 && first.assets == [flagHash])
        #expect(fetcher.requests.withLock { $0 }.filter { $0.hasPrefix("targets/") }.count == 2)
        // Nothing new: no target is fetched again.
        fetcher.requests.withLock { $0 = [] }
        #expect(try await update(folder, fetcher, cache) == first)
        #expect(fetcher.requests.withLock { $0 }.filter { $0.hasPrefix("targets/") }.isEmpty)

        // Release 2 adds an image that the mirror does not have yet: the update fails, release 1 stays.
        let other = Array("a second image".utf8)
        let otherHash = HashAlgorithm.digest("sha256", of: other)!
        let text = String(decoding: ContentCacheTests.programme, as: UTF8.self)
            .replacingOccurrences(of: #""assets": {"#, with: #""assets": {"\#(otherHash)": {"type": "png", "width": 10, "height": 10}, "#)
        try repository.addTarget("assets/\(otherHash)", other)
        try repository.addTarget("programme.json", Array(text.utf8), custom: version(2))
        fetcher = MemoryFetcher(repository)
        fetcher.served.withLock { files in for key in files.keys where key.contains(otherHash) { files[key] = nil } }
        await #expect(throws: TUFError.self) { try await update(folder, fetcher, cache) }
        #expect(cache.current()?.current.release == 1)
        // Once it is there, the update completes and switches; a tampered copy would not verify.
        fetcher.setTarget("assets/\(otherHash).\(otherHash)", Array("a second imagE".utf8))
        await #expect(throws: TUFError.self) { try await update(folder, fetcher, cache) }
        fetcher.setTarget("assets/\(otherHash).\(otherHash)", other)
        let second = try await update(folder, fetcher, cache)
        #expect(second.release == 2 && Set(second.assets) == [flagHash, otherHash])
    }

    @Test func aScreenOfADelegatedGroupFollowsItsGroupsRelease() async throws {
        var repository = try TestRepository()
        let berlin = try programme.restricted(to: ["berlin-1"]), astana = try programme.restricted(to: ["astana-1", "astana-2"])
        try repository.addTarget("programme.json", berlin.canonicalBytes, custom: version(5))
        try repository.delegate("group-astana", paths: ["groups/astana/programme.json", "groups/astana/assets/*"], terminating: true)
        try repository.addTarget("groups/astana/assets/\(flagHash)", ContentCacheTests.flag, role: "group-astana")
        try repository.addTarget("groups/astana/programme.json", astana.canonicalBytes, role: "group-astana", custom: version(6))
        let fetcher = MemoryFetcher(repository)
        let (folder, cache) = try player(repository)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let installed = try await update(folder, fetcher, cache, screen: "astana-2")
        #expect(installed.release == 6 && installed.programme == HashAlgorithm.digest("sha256", of: astana.canonicalBytes))
        await #expect(throws: PlayerError.self) { try await update(folder, fetcher, cache, screen: "paris-1") }
    }
}

extension ReleaseSyncTests {
    @Test func theCacheQuotaEvictsWhatIsUnusedAndRefusesAReleaseThatWouldNotFit() async throws {
        var repository = try TestRepository()
        try repository.addTarget("assets/\(flagHash)", ContentCacheTests.flag)
        try repository.addTarget("programme.json", ContentCacheTests.programme, custom: version(1))
        let (folder, cache) = try player(repository)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await update(folder, MemoryFetcher(repository), cache)
        let inUse = cache.size()
        // Left-overs of an earlier release take space; they go before the next download.
        try cache.store(Array(repeating: 7, count: 50_000))
        // Release 2 needs a 200 kB image: beside release 1 it does not fit in 150 kB.
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let bigHash = HashAlgorithm.digest("sha256", of: big)!
        let text = String(decoding: ContentCacheTests.programme, as: UTF8.self)
            .replacingOccurrences(of: #""assets": {"#, with: #""assets": {"\#(bigHash)": {"type": "png", "width": 10, "height": 10}, "#)
        try repository.addTarget("assets/\(bigHash)", big)
        try repository.addTarget("programme.json", Array(text.utf8), custom: version(2))
        let source = ReleaseSource(metadataBaseURL: "mem://r/metadata/", targetsBaseURL: "mem://r/targets/", metadataDirectory: "\(folder)/metadata",
                                   fetcher: MemoryFetcher(repository))
        await #expect(throws: PlayerError.self) {
            try await ReleaseSync.update(from: source, now: TestRepository.start, cache: cache, screen: "astana-1", quotaBytes: 150_000)
        }
        #expect(cache.current()?.current.release == 1)
        #expect(cache.size() < inUse + 10_000 + Int64(text.utf8.count))  // the left-over is gone; release 1 and the new document stay
        // With room for both, it is taken.
        let second = try await ReleaseSync.update(from: source, now: TestRepository.start, cache: cache, screen: "astana-1", quotaBytes: 1_000_000)
        #expect(second.release == 2)
    }
}
