import Foundation
import HTTPTypes
import HummingbirdBcrypt
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetTUFClient
import Testing

@testable import SignetServer

@Suite("Screen groups with their own approvers: delegated targets roles")
struct DelegationTests {
    @Test func aGroupIsReleasedByItsOwnApproversOnceTheNetworkDelegatesIt() async throws {
        let fixture = try await ServerFixture.withRepository()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        let network = try (1...2).map { try keyFile("\(data)/offline/approver-\($0).key") }
        let astana = try (1...2).map { _ in try SigningKey.generate() }
        try await fixture.test { client in
            let (editor, admin) = try await ServerProgrammeTests().prepare(client)
            let approver = try await client.token(for: "approver")
            let editing: HTTPFields = [.authorization: "Bearer \(editor)"], approving: HTTPFields = [.authorization: "Bearer \(approver)"]
            let administering: HTTPFields = [.authorization: "Bearer \(admin)"]
            _ = try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: editing)
            func sign(_ key: SigningKey, _ proposal: JSONObject) async throws -> TestResponse {
                try await client.json(.post, "/api/v1/releases/\(proposal["id"]!.integerValue!)/signatures", try approval(key, of: proposal),
                                      headers: approving)
            }

            // Before any delegation, a group release is refused and says what to do.
            let early = try await client.json(.post, "/api/v1/releases", #"{"group": "astana"}"#, headers: editing)
            #expect(early.status == .conflict && early.text.contains("PUT /api/v1/groups/astana/approvers"))
            // Registering the group's approvers: admin only, keys checked.
            let keys = JSONWriter.compact.string(.array(astana.map { .object($0.publicKey.json) }))
            #expect(try await client.json(.put, "/api/v1/groups/astana/approvers", #"{"keys": \#(keys), "threshold": 2}"#,
                                          headers: editing).status == .forbidden)
            #expect(try await client.json(.put, "/api/v1/groups/astana/approvers", #"{"keys": \#(keys), "threshold": 3}"#,
                                          headers: administering).status == .badRequest)
            #expect(try await client.json(.put, "/api/v1/groups/astana/approvers", #"{"keys": [{"keytype": "ed25519"}], "threshold": 1}"#,
                                          headers: administering).status == .badRequest)
            #expect(try await client.json(.put, "/api/v1/groups/Astana%2F..%2Fx/approvers", #"{"keys": \#(keys), "threshold": 1}"#,
                                          headers: administering).status == .badRequest)
            #expect(try await fixture.store.groupApprovers().isEmpty)
            #expect(try await client.json(.put, "/api/v1/groups/astana/approvers", #"{"keys": \#(keys), "threshold": 2}"#,
                                          headers: administering).status == .ok)

            // The network release delegates astana and leaves its screens out.
            let top = try #require(try await client.json(.post, "/api/v1/releases", headers: editing).object)
            #expect(top["role"] == .string("targets"))
            let delegated = try #require(top["delegations"]?.arrayValue?.first?.objectValue)
            #expect(delegated["name"] == .string("group-astana") && delegated["threshold"] == .integer(2) && delegated["terminating"] == .bool(true))
            #expect(top["programme_changes"]?.objectValue?["screens"]?.objectValue?["added"] == .array(["berlin-1"]))
            #expect(try await sign(astana[0], top).status == .forbidden)  // a group key cannot sign for the network
            _ = try await sign(network[0], top)
            #expect(try await sign(network[1], top).object?["published"] == .bool(true))
            let groups = try await client.json(.get, "/api/v1/groups", headers: editing)
            #expect(groups.object?["groups"]?.arrayValue?.first?.objectValue?["delegated"] == .bool(true))

            // The group's release: only its screens, signed by its own keys.
            let part = try #require(try await client.json(.post, "/api/v1/releases", #"{"group": "astana"}"#, headers: editing).object)
            #expect(part["role"] == .string("group-astana") && part["targets_version"] == .integer(1) && part["threshold"] == .integer(2))
            #expect(Set(part["approver_key_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []) == Set(astana.map(\.keyID)))
            let paths = Set(try Targets(signed: part["signed"]!).targets.map(\.0))
            #expect(paths == ["groups/astana/programme.json", "groups/astana/assets/1de385c32e005a12e180b0e56636e3fa353b9deac6187d6d53100cb1ad821096"])
            #expect(try await sign(network[0], part).status == .forbidden)  // a network key cannot sign for the group
            #expect(try await client.json(.post, "/api/v1/releases", #"{"group": "berlin"}"#, headers: editing).status == .conflict)
            _ = try await sign(astana[0], part)
            #expect(try await sign(astana[1], part).object?["published"] == .bool(true))
            let exact = try await client.execute(uri: "/api/v1/releases/\(part["id"]!.integerValue!)/programme", method: .get, headers: editing)

            // A TUF client follows the delegation: the group's programme holds astana's screens only.
            let root = try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json"))
            try AtomicFile.createDirectory("\(data)/client")
            try MetadataStore(directory: "\(data)/client").persist(Root.type, root)
            var updater = try Updater(metadataBaseURL: "file://\(data)/repository/metadata/", metadataDirectory: "\(data)/client",
                                      fetcher: FileFetcher(), now: fixture.clock.now().tufTime)
            try await updater.refresh()
            let groupInfo = try #require(try await updater.targetInfo(for: "groups/astana/programme.json"))
            let bytes = Array(exact.body.readableBytesView)
            try HashAlgorithm.verify(bytes, against: groupInfo.hashes, what: "groups/astana/programme.json")
            #expect(Set(try Programme(bytes: bytes).screens.keys) == ["astana-1", "astana-2"])
            let networkInfo = try #require(try await updater.targetInfo(for: "programme.json"))
            let networkBytes = try #require(try AtomicFile.read("\(data)/repository/targets/programme.json"))
            try HashAlgorithm.verify(networkBytes, against: networkInfo.hashes, what: "programme.json")
            #expect(Set(try Programme(bytes: networkBytes).screens.keys) == ["berlin-1"])
            try await updater.flush()
        }
    }

    @Test func anAccountLimitedToAGroupChangesOnlyThatGroup() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        _ = try await fixture.store.createAccount(name: "astana-editor", role: .editor, passwordHash: Bcrypt.hash(ServerFixture.password, cost: 4),
                                                  mustChangePassword: false, groups: ["astana"], at: fixture.clock.now())
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        try ReleaseTests.trialRepository(fixture)
        try await fixture.test { client in
            let (editor, _) = try await ServerProgrammeTests().prepare(client)
            _ = try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: [.authorization: "Bearer \(editor)"])
            let limited: HTTPFields = [.authorization: "Bearer \(try await client.token(for: "astana-editor"))"]
            // The welcome slide shows only on Astana's screens; the news slide shows in Berlin too.
            let welcome = ServerProgrammeTests.document.replacingOccurrences(of: "Добро пожаловать!", with: "Добро пожаловать в Астану!")
            #expect(try await client.json(.put, "/api/v1/programme", welcome, headers: limited).status == .created)
            let news = welcome.replacingOccurrences(of: "the new tram line opens on Monday", with: "anything")
            let refused = try await client.json(.put, "/api/v1/programme", news, headers: limited)
            #expect(refused.status == .forbidden && refused.text.contains("outside your groups (berlin-1)"))
            #expect(try await fixture.store.latestProgramme()?.version == 2)
            // Releases: the group's own only.
            #expect(try await client.json(.post, "/api/v1/releases", headers: limited).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/releases", #"{"group": "berlin"}"#, headers: limited).status == .forbidden)
            let own = try await client.json(.post, "/api/v1/releases", #"{"group": "astana"}"#, headers: limited)
            #expect(own.status == .conflict && own.text.contains("not delegated"))  // allowed to ask; not delegated yet
        }
    }
}
