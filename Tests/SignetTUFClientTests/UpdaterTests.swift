import Foundation
import SignetTestSupport
import Synchronization
import Testing

@testable import SignetCore
@testable import SignetTUFClient

/// A client's folders, removed when the test ends.
final class ClientFolder {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("signet-client-\(UUID().uuidString)").path
    var metadata: String { "\(path)/metadata" }
    var targets: String { "\(path)/targets" }

    init(trustedRoot: [UInt8]) throws {
        try AtomicFile.createDirectory(metadata)
        try AtomicFile.createDirectory(targets)
        try MetadataStore(directory: metadata).persist(Root.type, trustedRoot)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Every file of the metadata folder and its bytes.
    func snapshot() throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: metadata) {
            files[name] = try AtomicFile.read("\(metadata)/\(name)")
        }
        return files
    }
}

@Suite("TUF client workflow over a fetcher and the disk")
struct UpdaterTests {
    func updater(_ folder: ClientFolder, _ fetcher: MemoryFetcher, now: TUFTime = TestRepository.start) throws -> Updater {
        try Updater(metadataBaseURL: "mem://r/metadata/", metadataDirectory: folder.metadata, fetcher: fetcher, now: now)
    }

    @Test func refreshesAndDownloadsThroughDelegations() async throws {
        var repository = try TestRepository()
        try repository.delegate("city-astana", paths: ["astana/*"], terminating: true)
        try repository.addTarget("astana/flags.png", Array("RU KZ".utf8), role: "city-astana")
        try repository.addTarget("programme.json", Array("{}".utf8))
        let fetcher = MemoryFetcher(repository)
        let folder = try ClientFolder(trustedRoot: repository.file("1.root.json"))
        var client = try updater(folder, fetcher)
        try await client.refresh()
        #expect(fetcher.requests.withLock { $0 } == ["metadata/2.root.json", "metadata/timestamp.json",
                                                      "metadata/4.snapshot.json", "metadata/3.targets.json"])
        let info = try #require(try await client.targetInfo(for: "astana/flags.png"))
        let path = try await client.downloadTarget("astana/flags.png", info: info, baseURL: "mem://r/targets/", directory: folder.targets)
        #expect(try AtomicFile.read(path) == Array("RU KZ".utf8))
        #expect(client.cachedTarget("astana/flags.png", info: info, directory: folder.targets) == path)
        // A terminating delegation that matched ends the search: a top-level target under astana/ is not found.
        #expect(try await client.targetInfo(for: "astana/other.png") == nil)
        #expect(try await client.targetInfo(for: "programme.json")?.length == 2)
        try await client.flush()
        #expect(Set(try folder.snapshot().keys) == ["root.json", "timestamp.json", "snapshot.json", "targets.json", "city-astana.json"])

        // A second run with nothing new asks only for the next root and the timestamp.
        fetcher.requests.withLock { $0.removeAll() }
        var second = try updater(folder, fetcher)
        _ = try await second.targetInfo(for: "astana/flags.png")
        #expect(fetcher.requests.withLock { $0 } == ["metadata/2.root.json", "metadata/timestamp.json"])
    }

    /// A refresh against tampered repository files fails with a one-line reason of `kind` and leaves
    /// every trusted file on disk exactly as it was, except the roles in `advances`, which verified
    /// before the bad file arrived and are persisted as the specification requires.
    func expectRefusal(_ kind: TUFError.Kind, now: TUFTime = TestRepository.start, advances: [String] = [],
                       tamper: (inout TestRepository, MemoryFetcher) throws -> Void) async throws
    {
        var repository = try TestRepository()
        try repository.addTarget("a.txt", [1, 2, 3])
        let fetcher = MemoryFetcher(repository)
        let folder = try ClientFolder(trustedRoot: repository.file("1.root.json"))
        var first = try updater(folder, fetcher)
        try await first.refresh()
        let before = try folder.snapshot()
        try tamper(&repository, fetcher)
        var client = try updater(folder, fetcher, now: now)
        do {
            try await client.refresh()
            Issue.record("refresh accepted tampered metadata")
        } catch {
            #expect(error.kind == kind, "\(error)")
            #expect(!error.description.contains("\n"))
        }
        var expected = before
        for role in advances { expected["\(role).json"] = repository.file("\(role).json") }
        #expect(try folder.snapshot() == expected)
    }

    @Test func refusesMalformedTimestamp() async throws {
        try await expectRefusal(.malformed) { _, fetcher in fetcher["timestamp.json"] = Array(#"{"signed": 1.5}"#.utf8) }
    }

    @Test func refusesWronglySignedTimestamp() async throws {
        try await expectRefusal(.threshold) { repository, fetcher in
            var timestamp = try Metadata<Timestamp>(bytes: repository.file("timestamp.json"))
            timestamp.signed.version += 1
            try timestamp.sign(with: try SigningKey.generate())
            timestamp.signatures.removeFirst()
            fetcher["timestamp.json"] = timestamp.encoded()
        }
    }

    @Test func refusesExpiredTimestamp() async throws {
        try await expectRefusal(.expired, now: TestRepository.start.adding(seconds: 3 * 86_400)) { repository, fetcher in
            try repository.addTarget("b.txt", [4])
            fetcher["timestamp.json"] = repository.file("timestamp.json")
        }
    }

    @Test func refusesRolledBackTimestamp() async throws {
        try await expectRefusal(.badVersion) { repository, fetcher in
            var timestamp = try Metadata<Timestamp>(bytes: repository.file("timestamp.json"))
            timestamp.signed.version = 1
            try timestamp.sign(with: repository.keys[Timestamp.type]!)
            fetcher["timestamp.json"] = timestamp.encoded()
        }
    }

    @Test func refusesOversizedTimestamp() async throws {
        try await expectRefusal(.lengthMismatch) { _, fetcher in
            fetcher["timestamp.json"] = Array(repeating: UInt8(ascii: " "), count: 20_000)
        }
    }

    @Test func refusesSnapshotOfWrongLength() async throws {
        try await expectRefusal(.lengthMismatch, advances: [Timestamp.type]) { repository, fetcher in
            try repository.addTarget("b.txt", [4])
            fetcher["timestamp.json"] = repository.file("timestamp.json")
            fetcher["3.snapshot.json"] = repository.file("3.snapshot.json") + Array(" ".utf8)
        }
    }

    @Test func refusesSnapshotWithWrongHash() async throws {
        try await expectRefusal(.hashMismatch, advances: [Timestamp.type]) { repository, fetcher in
            try repository.addTarget("b.txt", [4])
            fetcher["timestamp.json"] = repository.file("timestamp.json")
            var bytes = repository.file("3.snapshot.json")
            bytes[bytes.count - 2] = UInt8(ascii: " ")
            fetcher["3.snapshot.json"] = bytes
        }
    }

    @Test func refusesMalformedNextRoot() async throws {
        try await expectRefusal(.malformed) { _, fetcher in fetcher["2.root.json"] = Array("{\"signed\":".utf8) }
    }

    @Test func refusesNextRootSignedByUnknownKeys() async throws {
        try await expectRefusal(.threshold) { repository, fetcher in
            var root = try Metadata<Root>(bytes: repository.file("1.root.json"))
            root.signed.version = 2
            root.signatures = []
            try root.sign(with: try SigningKey.generate())
            fetcher["2.root.json"] = root.encoded()
        }
    }

    @Test func refusesTargetOfWrongLengthOrHash() async throws {
        var repository = try TestRepository()
        try repository.addTarget("a.txt", [1, 2, 3])
        let fetcher = MemoryFetcher(repository)
        let folder = try ClientFolder(trustedRoot: repository.file("1.root.json"))
        var client = try updater(folder, fetcher)
        let info = try #require(try await client.targetInfo(for: "a.txt"))
        let hashedName = "\(info.hashes.values[0]).a.txt"
        for served: [UInt8] in [[1, 2, 3, 4], [1, 2, 4]] {
            fetcher.setTarget(hashedName, served)
            await #expect(throws: TUFError.self) {
                try await client.downloadTarget("a.txt", info: info, baseURL: "mem://r/targets/", directory: folder.targets)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.targets).isEmpty)
        }
    }

    @Test func unsignedLocalRootFailsBeforeAnyRequest() async throws {
        let repository = try TestRepository()
        var root = try Metadata<Root>(bytes: repository.file("1.root.json"))
        root.signatures = []
        let fetcher = MemoryFetcher(repository)
        let folder = try ClientFolder(trustedRoot: root.encoded())
        #expect(throws: TUFError.self) { _ = try updater(folder, fetcher) }
        #expect(fetcher.requests.withLock { $0 }.isEmpty)
    }
}
