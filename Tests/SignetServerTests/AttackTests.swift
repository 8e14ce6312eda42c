import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetRender
import SignetTUFClient
import SignetTUFRepository
import Testing

@testable import SignetServer

/// S1: the server cannot put anything on a screen by itself. An attacker who holds an admin
/// account, the database and every key the server keeps still cannot make a TUF client accept a
/// release that the approvers did not sign.
@Suite("An attacker with the server cannot publish")
struct AttackTests {
    /// The Ukrainian flag: blue over yellow.
    static let ukrainianFlag: [UInt8] = {
        var pixels: [UInt8] = []
        for y in 0..<40 { for _ in 0..<60 { pixels += y < 20 ? [0x00, 0x57, 0xB7, 0xFF] : [0xFF, 0xD7, 0x00, 0xFF] } }
        return try! PNGEncoder.encode(Canvas(width: 60, height: 40, pixels: pixels))
    }()

    @Test func anAttackerWithAdminDatabaseAndOnlineKeysCannotPublishANewAsset() async throws {
        let fixture = try await ServerFixture.withRepository()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        let online = try ["snapshot", "timestamp", "commands"].map { try keyFile(ServerSetup.onlineKeyPath($0, in: data)) }
        let ukrainian = HashAlgorithm.digest("sha256", of: Self.ukrainianFlag)!
        let store = fixture.store
        try await fixture.test { client in
            // The approved release: the Kazakh flag, signed by 2 of 3 approvers.
            let (editor, admin) = try await ServerProgrammeTests().prepare(client)
            let approver = try await client.token(for: "approver")
            let editing: HTTPFields = [.authorization: "Bearer \(editor)"], approving: HTTPFields = [.authorization: "Bearer \(approver)"]
            let administering: HTTPFields = [.authorization: "Bearer \(admin)"]
            _ = try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: editing)
            let approved = try #require(try await client.json(.post, "/api/v1/releases", headers: editing).object)
            for index in 1...2 {
                _ = try await client.json(.post, "/api/v1/releases/\(approved["id"]!.integerValue!)/signatures",
                                          try approval(try keyFile("\(data)/offline/approver-\(index).key"), of: approved), headers: approving)
            }
            // A player's client trusts root v1 and has verified that release.
            try AtomicFile.createDirectory("\(data)/player")
            try MetadataStore(directory: "\(data)/player").persist(Root.type, try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json")))
            var player = try Updater(metadataBaseURL: "file://\(data)/repository/metadata/", metadataDirectory: "\(data)/player",
                                     fetcher: FileFetcher(), now: fixture.clock.now().tufTime)
            try await player.refresh()
            #expect(player.trusted.targets?.signed.version == 2)

            // 1. With the admin account: upload the other flag, put it in the programme, propose.
            let upload = try await client.execute(uri: "/api/v1/assets?name=flag.png", method: .post, headers: administering,
                                                  body: ByteBuffer(bytes: Self.ukrainianFlag))
            #expect(upload.status == .created)
            let kazakh = "1de385c32e005a12e180b0e56636e3fa353b9deac6187d6d53100cb1ad821096"
            let swapped = ServerProgrammeTests.document.replacingOccurrences(of: kazakh, with: ukrainian)
            #expect(try await client.json(.put, "/api/v1/programme", swapped, headers: administering).status == .created)
            let forged = try #require(try await client.json(.post, "/api/v1/releases", headers: administering).object)
            let forgedID = forged["id"]!.integerValue!
            // Signatures from keys the attacker holds are refused: a new key, the server's own keys.
            for attackerKey in [try SigningKey.generate()] + online {
                let refused = try await client.json(.post, "/api/v1/releases/\(forgedID)/signatures", try approval(attackerKey, of: forged),
                                                    headers: approving)
                #expect(refused.status == .forbidden)
            }
            // 2. With the database: approvals written straight into it; the next signature that
            // arrives is checked, and the forged rows publish nothing.
            let targetsBefore = try #require(try AtomicFile.read("\(data)/repository/metadata/targets.json"))
            let approverIDs = (forged["approver_key_ids"]?.arrayValue ?? []).compactMap(\.stringValue)
            try #require(approverIDs.count == 3)
            for id in approverIDs.prefix(2) {
                #expect(try await store.addSignature(proposalID: forgedID, ReleaseSignature(keyID: id, signature: String(repeating: "ab", count: 64),
                                                                                             account: "approver", at: fixture.clock.now())))
            }
            let third = try await client.json(.post, "/api/v1/releases/\(forgedID)/signatures",
                                              #"{"keyid": "\#(approverIDs[2])", "sig": "\#(String(repeating: "cd", count: 64))"}"#, headers: approving)
            #expect(third.status == .badRequest)
            #expect(try AtomicFile.read("\(data)/repository/metadata/targets.json") == targetsBefore)

            // 3. With the online keys: targets, snapshot and timestamp written by hand, signed with
            // every key the server holds, the new flag stored as a target.
            let repository = FileRepository(directory: "\(data)/repository")
            let current = try repository.load()
            var targets = try #require(current.targetsRoles[Targets.type]?.signed)
            targets.version += 1
            targets.targets["assets/\(ukrainian)"] = TargetFile(contents: Self.ukrainianFlag)
            var forgedTargets = Metadata(signed: targets)
            for key in online { try forgedTargets.sign(with: key) }
            let targetsBytes = forgedTargets.encoded()
            var snapshot = try #require(current.snapshot?.signed)
            snapshot.version += 1
            snapshot.meta["targets.json"] = MetaFile(version: targets.version, length: Int64(targetsBytes.count), hashes: HashAlgorithm.hashes(of: targetsBytes))
            var forgedSnapshot = Metadata(signed: snapshot)
            try forgedSnapshot.sign(with: online[0])
            let snapshotBytes = forgedSnapshot.encoded()
            var timestamp = try #require(current.timestamp?.signed)
            timestamp.version += 1
            timestamp.snapshotMeta = MetaFile(version: snapshot.version, length: Int64(snapshotBytes.count), hashes: HashAlgorithm.hashes(of: snapshotBytes))
            var forgedTimestamp = Metadata(signed: timestamp)
            try forgedTimestamp.sign(with: online[1])
            try repository.storeTarget(path: "assets/\(ukrainian)", bytes: Self.ukrainianFlag, info: TargetFile(contents: Self.ukrainianFlag))
            let folder = "\(data)/repository/metadata"
            for (name, bytes) in [("\(targets.version).targets.json", targetsBytes), ("targets.json", targetsBytes),
                                  ("\(snapshot.version).snapshot.json", snapshotBytes), ("snapshot.json", snapshotBytes),
                                  ("timestamp.json", forgedTimestamp.encoded())] {
                try AtomicFile.write(bytes, to: "\(folder)/\(name)")
            }

            // Neither the player that trusted the approved release nor a new client accepts it.
            await #expect(throws: TUFError.self) { try await player.refresh() }
            #expect(player.trusted.targets?.signed.version == 2)
            try AtomicFile.createDirectory("\(data)/fresh")
            try MetadataStore(directory: "\(data)/fresh").persist(Root.type, try #require(try AtomicFile.read("\(folder)/1.root.json")))
            var fresh = try Updater(metadataBaseURL: "file://\(folder)/", metadataDirectory: "\(data)/fresh",
                                    fetcher: FileFetcher(), now: fixture.clock.now().tufTime)
            do {
                try await fresh.refresh()
                Issue.record("a fresh client accepted targets signed only by the server's keys")
            } catch let error as TUFError {
                #expect(error.description.contains("targets"), "\(error)")
            }
            #expect(fresh.trusted.targets == nil)
            try await player.flush()
            try await fresh.flush()
        }
    }
}
