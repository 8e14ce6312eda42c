import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetRender
import SignetTUFClient
import Testing

@testable import SignetServer

@Suite("Release proposals: the exact targets metadata approvers sign, and what it changes")
struct ReleaseTests {
    /// A trial repository (1 custodian; 2 of 3 approvers, keys in offline/) in the fixture's folder.
    static func trialRepository(_ fixture: ServerFixture) throws {
        _ = try ServerSetup.initialise(folder: fixture.config.dataDirectory, custodians: [.generate], custodianThreshold: 1,
                                       approvers: [.generate, .generate, .generate], approverThreshold: 2, now: fixture.clock.now().tufTime)
    }

    @Test func aProposalIsTheNextTargetsVersionOfTheProgrammeAndItsAssets() async throws {
        let fixture = try await ServerFixture.withRepository()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
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
            let programmeTarget = try #require(targets.targets["programme.json"])
            #expect(programmeTarget.length == TargetFile(contents: programme.document).length && programmeTarget.hashes == TargetFile(contents: programme.document).hashes)
            #expect(programmeTarget.custom?.objectValue?["programme_version"] == .integer(1))
            // Every slide's fingerprint at every screen size, which approvers check and players hold frames to.
            let frames = try ApprovedFrames(json: try #require(programmeTarget.custom?.objectValue?["frames"]))
            let parsed = try Programme(bytes: programme.document)
            #expect(Set(frames.fingerprints.keys) == Set(parsed.screens.values.map { ApprovedFrames.sizeKey(width: $0.width, height: $0.height) }))
            #expect(frames.fingerprints.values.allSatisfy { Set($0.keys) == Set(parsed.slides.keys) })
            let approver = try keyFile("\(data)/offline/approver-1.key")
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
            // Nor a log checkpoint: the log key is named by the root the custodians have yet to sign.
            let checkpoint = try await client.json(.get, "/log/checkpoint")
            #expect(checkpoint.status == .serviceUnavailable, "\(checkpoint.text)")
        }
    }
}

extension ReleaseTests {
    func signature(_ path: String, over proposal: JSONObject, tamper: Bool = false) throws -> String {
        try approval(try keyFile(path), of: proposal, tamper: tamper)
    }

    @Test func signaturesAreCheckedAndTheThresholdPublishes() async throws {
        let fixture = try await ServerFixture.withRepository()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        let store = fixture.store
        try await fixture.test { client in
            let (editor, _) = try await ServerProgrammeTests().prepare(client)
            let approver = try await client.token(for: "approver")
            let editing: HTTPFields = [.authorization: "Bearer \(editor)"], approving: HTTPFields = [.authorization: "Bearer \(approver)"]
            _ = try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: editing)
            let old = try #require(try await client.json(.post, "/api/v1/releases", headers: editing).object)
            let proposal = try #require(try await client.json(.post, "/api/v1/releases", headers: editing).object)
            let id = proposal["id"]!.integerValue!
            func sign(_ body: String, _ proposalID: Int64 = id) async throws -> TestResponse {
                try await client.json(.post, "/api/v1/releases/\(proposalID)/signatures", body, headers: approving)
            }
            let custodian = try await sign(try signature("\(data)/offline/custodian-1.key", over: proposal))
            #expect(custodian.status == .forbidden)
            let forged = try signature("\(data)/offline/approver-1.key", over: proposal, tamper: true)  // over other bytes
            #expect(try await sign(forged).status == .badRequest)
            #expect(try await sign(try signature("\(data)/offline/approver-1.key", over: proposal), old["id"]!.integerValue!).status == .conflict)
            let first = try await sign(try signature("\(data)/offline/approver-1.key", over: proposal))
            #expect(first.status == .ok && first.object?["published"] == .bool(false))
            #expect(try await sign(try signature("\(data)/offline/approver-1.key", over: proposal)).status == .conflict)  // same key twice
            // An editor cannot hand in signatures, whatever key they hold.
            #expect(try await client.json(.post, "/api/v1/releases/\(id)/signatures", try signature("\(data)/offline/approver-2.key", over: proposal),
                                          headers: editing).status == .forbidden)
            let second = try await sign(try signature("\(data)/offline/approver-2.key", over: proposal))
            #expect(second.object?["published"] == .bool(true))
            // Published: targets v2 on disk, verifiable by a client; the proposal is closed.
            let root = try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json"))
            try AtomicFile.createDirectory("\(data)/client")
            try MetadataStore(directory: "\(data)/client").persist(Root.type, root)
            var updater = try Updater(metadataBaseURL: "file://\(data)/repository/metadata/", metadataDirectory: "\(data)/client",
                                      fetcher: FileFetcher(), now: fixture.clock.now().tufTime)
            try await updater.refresh()
            #expect(updater.trusted.targets?.signed.version == 2)
            let info = try #require(try await updater.targetInfo(for: "programme.json"))
            let programme = try #require(try await store.latestProgramme())
            try HashAlgorithm.verify(programme.document, against: info.hashes, what: "programme.json")
            try await updater.flush()
            #expect(try await sign(try signature("\(data)/offline/approver-3.key", over: proposal)).status == .conflict)
            let actions = try await store.auditEvents().map(\.action)
            #expect(actions.contains("release.publish") && actions.filter { $0 == "release.sign.refused" }.count >= 3)

            // The next proposal says, per screen, what changes and when, with previews of both sides.
            let edited = ServerProgrammeTests.document.replacingOccurrences(of: "the new tram line opens on Monday",
                                                                           with: "the tram line is closed")
            #expect(try await client.json(.put, "/api/v1/programme", edited, headers: editing).status == .created)
            let next = try #require(try await client.json(.post, "/api/v1/releases", headers: editing).object)
            #expect(next["diff"]?.objectValue?["changed"] == .array(["programme.json"]))
            #expect(next["diff"]?.objectValue?["published_programme_version"] == .integer(1))
            let window = try #require(next["screens"]?.objectValue)
            #expect(window["from"] == .string(fixture.clock.now().iso8601))
            let changes = (window["changes"]?.arrayValue ?? []).compactMap(\.objectValue)
            #expect(changes.map { $0["screen"]?.stringValue } == ["astana-1", "astana-2", "berlin-1"])
            let astana = changes[0]
            #expect(astana["kind"] == .string("changed") && astana["settings"] == .array([]))
            let span = try #require(astana["spans"]?.arrayValue?.first?.objectValue)
            #expect(span["before"] == .array(["city-news"]) && span["after"] == .array(["city-news (edited)"]))
            let before = try #require(astana["preview_before"]?.stringValue), after = try #require(astana["preview_after"]?.stringValue)
            #expect(before.hasSuffix("&programme=1") && after.hasSuffix("&programme=2"))
            let was = try await client.execute(uri: before, method: .get, headers: editing)
            let will = try await client.execute(uri: after, method: .get, headers: editing)
            #expect(was.status == .ok && will.status == .ok)
            #expect(was.headers[SignetHeaders.slide] == "city-news" && will.headers[SignetHeaders.slide] == "city-news")
            #expect(was.headers[SignetHeaders.programmeVersion] == "1" && will.headers[SignetHeaders.programmeVersion] == "2")
            #expect(was.body != will.body)
            #expect(try await client.json(.get, "/api/v1/screens/astana-1/preview?programme=99", headers: editing).status == .notFound)
        }
    }
}
