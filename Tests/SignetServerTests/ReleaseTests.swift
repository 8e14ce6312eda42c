import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import Testing

@testable import SignetServer

@Suite("Release proposals: the exact targets metadata approvers sign, and what it changes")
struct ReleaseTests {
    @Test func aProposalIsTheNextTargetsVersionOfTheProgrammeAndItsAssets() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerSetup.initialise(folder: data, custodians: [.generate], custodianThreshold: 1,
                                       approvers: [.generate, .generate, .generate], approverThreshold: 2, now: fixture.clock.now().tufTime)
        let store = fixture.store
        try await fixture.test { client in
            let (editor, _) = try await ServerProgrammeTests().prepare(client)
            let headers: HTTPFields = [.authorization: "Bearer \(editor)"]
            #expect(try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: headers).status == .created)
            let proposed = try await client.json(.post, "/api/v1/releases", headers: headers)
            #expect(proposed.status == .created, "\(proposed.text)")
            let body = try #require(proposed.object)
            #expect(body["targets_version"]?.integerValue == 2 && body["programme_version"]?.integerValue == 1)
            #expect(body["threshold"]?.integerValue == 2 && body["approver_key_ids"]?.arrayValue?.count == 3)
            let added = body["diff"]?.objectValue?["added"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(Set(added) == ["assets/1de385c32e005a12e180b0e56636e3fa353b9deac6187d6d53100cb1ad821096", "programme.json"])
            // What approvers sign: the canonical form of `signed`, which names the programme's exact bytes.
            let signed = try #require(body["signed"])
            let targets = try Targets(signed: signed)
            let programme = try #require(try await store.latestProgramme())
            #expect(targets.targets["programme.json"] == TargetFile(contents: programme.document, custom: .object(["programme_version": 1])))
            let approver = try SigningKey(pem: String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(data)/offline/approver-1.key")), as: UTF8.self))
            var metadata = Metadata(signed: targets)
            try metadata.sign(with: approver)
            #expect(HashAlgorithm.digest("sha256", of: metadata.canonicalSigned) == body["signed_sha256"]?.stringValue)
            #expect(body["approver_key_ids"]?.arrayValue?.contains(.string(approver.keyID)) == true)

            // A newer proposal supersedes the open one.
            let second = try await client.json(.post, "/api/v1/releases", headers: headers)
            #expect(second.status == .created)
            let first = try await client.json(.get, "/api/v1/releases/\(body["id"]!.integerValue!)", headers: headers)
            #expect(first.object?["state"]?.stringValue == "superseded")
            let list = try await client.json(.get, "/api/v1/releases", headers: headers)
            #expect(list.object?["proposals"]?.arrayValue?.count == 2)
            #expect(try await store.auditEvents().filter { $0.action == "release.propose" }.count == 2)
        }
    }

    @Test func noProposalBeforeTheRepositoryIsPublished() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        let custodian = try SigningKey.generate().publicKey
        _ = try ServerSetup.initialise(folder: data, custodians: [.supplied(custodian)], custodianThreshold: 1,
                                       approvers: [.generate], approverThreshold: 1, now: fixture.clock.now().tufTime)
        try await fixture.test { client in
            let (editor, _) = try await ServerProgrammeTests().prepare(client)
            let headers: HTTPFields = [.authorization: "Bearer \(editor)"]
            #expect(try await client.json(.post, "/api/v1/releases", headers: headers).status == .notFound)  // no programme yet
            _ = try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: headers)
            let refused = try await client.json(.post, "/api/v1/releases", headers: headers)
            #expect(refused.status == .conflict)
            #expect(refused.object?["error"]?.stringValue?.contains("custodians must sign root v1") == true)
        }
    }
}
