import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetRender
import SignetTestSupport
import Testing

@testable import SignetServer

@Suite("Asset uploads: streamed, typed by their bytes, limited, stored once by sha256")
struct AssetTests {
    static let png: [UInt8] = try! PNGEncoder.encode(Canvas(width: 30, height: 20, fill: (0xD5, 0x2B, 0x1E, 255)))

    func upload(_ client: some TestClientProtocol, _ bytes: [UInt8], token: String, name: String = "flag.png",
                headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        fields[.authorization] = "Bearer \(token)"
        return try await client.execute(uri: "/api/v1/assets?name=\(name)", method: .post, headers: fields, body: ByteBuffer(bytes: bytes))
    }

    @Test func uploadsAreStoredOnceAndServedBack() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        let folder = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await fixture.test { client in
            let token = try await client.token(for: "editor")
            let first = try await upload(client, Self.png, token: token)
            #expect(first.status == .created)
            let hash = try #require(first.object?["sha256"]?.stringValue)
            #expect(hash == HashAlgorithm.digest("sha256", of: Self.png))
            #expect(first.object?["width"]?.integerValue == 30 && first.object?["type"]?.stringValue == "png")
            let again = try await upload(client, Self.png, token: token, name: "copy.png")
            #expect(again.status == .ok)
            #expect(again.object?["name"]?.stringValue == "flag.png")  // the first upload's record
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/assets").filter { $0 != "incoming" } == [hash])
            let served = try await client.execute(uri: "/api/v1/assets/\(hash)", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(served.status == .ok && Array(served.body.readableBytesView) == Self.png)
            #expect(served.headers[.contentType] == "image/png")
            #expect(try await fixture.store.auditEvents().filter { $0.action == "asset.upload" }.count == 1)
        }
    }

    @Test func badUploadsAreRefusedAndLeaveNothingBehind() async throws {
        var fixture = try ServerFixture()
        fixture.config.maxAssetBytes = 4096
        try await fixture.addRoleAccounts()
        let folder = fixture.config.dataDirectory, store = fixture.store
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await fixture.test { client in
            let token = try await client.token(for: "editor")
            // The name and the Content-Type say PNG; the bytes decide.
            let text = try await upload(client, Array("<svg onload=alert(1)>".utf8), token: token, name: "x.png",
                                        headers: [.contentType: "image/png"])
            #expect(text.status == .unsupportedMediaType)
            let truncated = try await upload(client, Array(Self.png.prefix(Self.png.count / 2)), token: token)
            #expect(truncated.status == .unprocessableContent)
            #expect(truncated.object?["error"]?.stringValue?.contains("cannot decode") == true)
            let huge = try await upload(client, PNGFixtures.header(width: 30_000, height: 30_000), token: token)
            #expect(huge.status == .unprocessableContent)
            #expect(huge.object?["error"]?.stringValue?.contains("30000x30000 pixels is more than the limit") == true)
            let tooLarge = try await upload(client, Self.png + Array(repeating: 0, count: 5000), token: token)
            #expect(tooLarge.status == .contentTooLarge)
            let empty = try await upload(client, [], token: token)
            #expect(empty.status == .badRequest)
            let badName = try await upload(client, Self.png, token: token, name: "a%0Ab")
            #expect(badName.status == .badRequest)
            #expect(try await store.assets().isEmpty)
            let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/assets/incoming")) ?? []
            #expect(left.isEmpty, "\(left)")
        }
    }
}
