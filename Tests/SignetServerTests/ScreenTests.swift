import Foundation
import HTTPTypes
import HummingbirdBcrypt
import HummingbirdTesting
import SignetCore
import Testing

@testable import SignetServer

@Suite("Screens, groups and device enrollment with one-time tokens")
struct ScreenTests {
    static let screen = #"{"id": "astana-1", "name": "Astana, Kabanbay Batyr Ave", "width": 960, "height": 480, "time_zone": "Asia/Almaty", "groups": ["astana", "roadside"]}"#

    func deviceKey() throws -> JSONObject { try SigningKey.generate().publicKey.json }

    func enroll(_ client: some TestClientProtocol, token: String, key: JSONObject) async throws -> TestResponse {
        let body = JSONWriter.compact.string(.object(["token": .string(token), "public_key": .object(key)]))
        return try await client.json(.post, "/api/v1/enroll", body)
    }

    @Test func aTokenBindsOneDeviceKeyOnce() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            let admin = try await client.token(for: "admin"), operatorToken = try await client.token(for: "operator")
            let created = try await client.json(.post, "/api/v1/screens", Self.screen, headers: [.authorization: "Bearer \(admin)"])
            #expect(created.status == .created)
            #expect(created.object?["groups"]?.arrayValue?.compactMap(\.stringValue) == ["astana", "roadside"])
            #expect(created.object?["device_key_id"] == .null)
            let issued = try await client.json(.post, "/api/v1/screens/astana-1/enrollment", headers: [.authorization: "Bearer \(operatorToken)"])
            #expect(issued.status == .created)
            let token = try #require(issued.object?["token"]?.stringValue)
            let key = try deviceKey()
            let enrolled = try await enroll(client, token: token, key: key)
            #expect(enrolled.status == .created)
            #expect(enrolled.object?["screen"]?.stringValue == "astana-1")
            // The token is spent.
            let reuse = try await enroll(client, token: token, key: try deviceKey())
            #expect(reuse.status == .forbidden)
            #expect(reuse.object?["error"]?.stringValue == "the enrollment token is unknown, used or expired")
            let listed = try await client.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(operatorToken)"])
            let first = try #require(listed.object?["screens"]?.arrayValue?.first?.objectValue)
            #expect(first["device_key_id"]?.stringValue == PublicKey.keyID(of: key))
            let events = try await fixture.store.auditEvents().map(\.action)
            #expect(events.contains("screen.create") && events.contains("enrollment.create") && events.contains("device.enroll")
                    && events.contains("enrollment.refused"))
        }
    }

    @Test func expiredOrReplacedTokensAndBadKeysAreRefused() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        let clock = fixture.clock
        try await fixture.test { client in
            let admin = try await client.token(for: "admin")
            _ = try await client.json(.post, "/api/v1/screens", Self.screen, headers: [.authorization: "Bearer \(admin)"])
            func issue() async throws -> String {
                try #require(try await client.json(.post, "/api/v1/screens/astana-1/enrollment", headers: [.authorization: "Bearer \(admin)"])
                    .object?["token"]?.stringValue)
            }
            let replaced = try await issue()
            let current = try await issue()
            #expect(try await enroll(client, token: replaced, key: try deviceKey()).status == .forbidden)
            let ecdsa = try SigningKey.generate(.ecdsa).publicKey.json
            let wrongType = try await enroll(client, token: current, key: ecdsa)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.object?["error"]?.stringValue?.contains("Ed25519") == true)
            clock.advance(minutes: 24 * 60 + 1)
            #expect(try await enroll(client, token: current, key: try deviceKey()).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/enroll", #"{"token": "x"}"#).status == .badRequest)
            #expect(try await client.json(.post, "/api/v1/screens/paris-9/enrollment", headers: [.authorization: "Bearer \(admin)"]).status
                    == .notFound)
        }
    }

    @Test(arguments: [
        (#""id": "astana-1""#, #""id": "Astana 1""#, "id: lowercase letters, digits and - only"),
        (#""width": 960"#, #""width": 0"#, "width: an integer from 1 to 16384 (pixels)"),
        (#""time_zone": "Asia/Almaty""#, #""time_zone": "Asia/Atlantis""#, #"time_zone: "Asia/Atlantis" is not a time zone of the tz database"#),
        (#""groups": ["astana", "roadside"]"#, #""groups": ["astana", "astana"]"#, "groups: distinct names of lowercase letters, digits and -"),
        (#""name": "Astana, Kabanbay Batyr Ave""#, #""name": "Astana", "colour": "red""#, "colour: unknown field"),
    ])
    func badScreensAreRefused(_ old: String, _ new: String, _ expected: String) async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        let store = fixture.store
        try await fixture.test { client in
            let admin = try await client.token(for: "admin")
            let response = try await client.json(.post, "/api/v1/screens", Self.screen.replacingOccurrences(of: old, with: new),
                                                 headers: [.authorization: "Bearer \(admin)"])
            #expect(response.status == .badRequest)
            #expect(response.object?["error"]?.stringValue?.hasPrefix(expected) == true, "\(response.text)")
            #expect(try await store.screens().isEmpty)
        }
    }
}

extension ScreenTests {
    @Test func anAccountLimitedToGroupsActsOnlyOnTheirScreens() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        _ = try await fixture.store.createAccount(name: "berlin-operator", role: .operator,
                                                  passwordHash: Bcrypt.hash(ServerFixture.password, cost: 4),
                                                  mustChangePassword: false, groups: ["berlin"], at: fixture.clock.now())
        try await fixture.test { client in
            let admin = try await client.token(for: "admin"), limited = try await client.token(for: "berlin-operator")
            _ = try await client.json(.post, "/api/v1/screens", Self.screen, headers: [.authorization: "Bearer \(admin)"])
            _ = try await client.json(.post, "/api/v1/screens",
                                      #"{"id": "berlin-1", "name": "Berlin", "width": 64, "height": 32, "time_zone": "Europe/Berlin", "groups": ["berlin"]}"#,
                                      headers: [.authorization: "Bearer \(admin)"])
            let listed = try await client.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(limited)"])
            #expect(listed.object?["screens"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == ["berlin-1"])
            let all = try await client.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(admin)"])
            #expect(all.object?["screens"]?.arrayValue?.count == 2)
            #expect(try await client.json(.post, "/api/v1/screens/berlin-1/enrollment", headers: [.authorization: "Bearer \(limited)"]).status
                    == .created)
            let outside = try await client.json(.post, "/api/v1/screens/astana-1/enrollment", headers: [.authorization: "Bearer \(limited)"])
            #expect(outside.status == .notFound)
            #expect(outside.object?["error"]?.stringValue == "no screen astana-1 in your groups")
            let session = try await client.json(.get, "/api/v1/session", headers: [.authorization: "Bearer \(limited)"])
            #expect(session.object?["account"]?.objectValue?["groups"]?.arrayValue == [.string("berlin")])
        }
    }
}
