import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetTUFClient
import Testing

@testable import SignetServer

@Suite("A new server's keys and TUF repository")
struct SetupTests {
    func folder() -> String { NSTemporaryDirectory() + "signet-setup-\(UUID().uuidString)" }

    @Test func aTrialSetupPublishesARepositoryThatAClientTrusts() async throws {
        let data = folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let now = TUFTime(secondsSince1970: 1_764_000_000)
        let report = try ServerSetup.initialise(folder: data, custodians: Array(repeating: .generate, count: 3), custodianThreshold: 2,
                                                approvers: Array(repeating: .generate, count: 3), approverThreshold: 2, now: now)
        #expect(report.pending.isEmpty)
        for path in ["keys/snapshot.key", "keys/timestamp.key", "keys/commands.key", "offline/custodian-1.key", "offline/approver-3.key"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(data)/\(path)")
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(path)")
        }
        // A client that trusts root v1 refreshes from the published repository.
        let root = try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json"))
        let client = "\(data)/client"
        try AtomicFile.createDirectory(client)
        try MetadataStore(directory: client).persist(Root.type, root)
        var updater = try Updater(metadataBaseURL: "file://\(data)/repository/metadata/", metadataDirectory: client,
                                  fetcher: FileFetcher(), now: now)
        try await updater.refresh()
        #expect(updater.trusted.targets?.signed.version == 1)
        let rootBody = updater.trusted.root.signed
        #expect(rootBody.roles[Root.type]?.threshold == 2 && rootBody.roles[Targets.type]?.keyIDs.count == 3)
        // The root names the commands key; the server holds it, not the approvers' keys.
        let commands = try #require(rootBody.unrecognized["x-signet"]?.objectValue?["commands"]?.objectValue)
        #expect(commands["keyids"]?.arrayValue?.count == 1)
        // And the transparency log's key, by its C2SP verifier key, named for the log's origin.
        let logKey = try NoteKey(logOf: rootBody)
        #expect(logKey.name == ServerSetup.defaultLogOrigin)
        let held = try SigningKey(pem: String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(data)/keys/log.key")), as: UTF8.self))
        #expect(held.publicKey == logKey.publicKey)
        let keys = try FileManager.default.contentsOfDirectory(atPath: "\(data)/keys").sorted()
        #expect(keys == ["commands.key", "log.key", "snapshot.key", "timestamp.key"])
    }

    @Test func suppliedKeysLeaveTheRepositoryWaitingForTheirHolders() throws {
        let data = folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let holders = try (0..<3).map { _ in ServerSetup.Holder.supplied(try SigningKey.generate().publicKey) }
        let report = try ServerSetup.initialise(folder: data, custodians: holders, custodianThreshold: 2, approvers: Array(holders.prefix(2)),
                                                approverThreshold: 2, now: TUFTime(secondsSince1970: 1_764_000_000))
        #expect(report.pending.count == 2)
        #expect(report.pending.first?.hasPrefix("root: ") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(data)/offline"))
        #expect(!FileManager.default.fileExists(atPath: "\(data)/repository/metadata/1.root.json"))
        #expect(FileManager.default.fileExists(atPath: "\(data)/repository/staged.json"))
        #expect(throws: ConfigError.self) {
            try ServerSetup.initialise(folder: data + "-2", custodians: holders, custodianThreshold: 4, approvers: holders,
                                       approverThreshold: 1, now: TUFTime(secondsSince1970: 0))
        }
    }

    @Test func theRepositoryIsServedAsFilesToAnyone() async throws {
        var fixture = try ServerFixture()
        let data = folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        fixture.config.dataDirectory = data
        _ = try ServerSetup.initialise(folder: data, custodians: [.generate], custodianThreshold: 1, approvers: [.generate],
                                       approverThreshold: 1, now: TUFTime(secondsSince1970: 1_764_000_000))
        let root = try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json"))
        try await fixture.test { client in
            let response = try await client.json(.get, "/repository/metadata/1.root.json")
            #expect(response.status == .ok)
            #expect(Array(response.body.readableBytesView) == root)
            #expect(response.headers[.cacheControl]?.contains("immutable") == true)
            #expect(try await client.json(.get, "/repository/metadata/timestamp.json").headers[.cacheControl] == "no-cache")
            for bad in ["/repository/../signet.sqlite", "/repository/metadata/..%2F..%2Fkeys", "/repository/.hidden",
                        "/repository/%2E%2E/keys/timestamp.key", "/repository/metadata/missing.json"] {
                #expect(try await client.json(.get, bad).status == .notFound, "\(bad)")
            }
        }
    }
}
