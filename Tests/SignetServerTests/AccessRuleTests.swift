import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import Testing

@testable import SignetServer

@Suite("Every route is behind the one role x endpoint table")
struct AccessRuleTests {
    /// For each rule and each role, a real request with that role's API token: refused with 403
    /// exactly when the table says so; never 404 (every rule has a route).
    @Test func eachRoleGetsExactlyWhatTheTableAllows() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            var tokens: [Role: String] = [:]
            for role in Role.allCases { tokens[role] = try await client.token(for: role.rawValue) }
            // Path parameters get values that exist.
            let asset = try await client.execute(uri: "/api/v1/assets?name=a.png", method: .post,
                                                 headers: [.authorization: "Bearer \(tokens[.editor]!)"], body: ByteBuffer(bytes: AssetTests.png))
            let screen = try await client.json(.post, "/api/v1/screens",
                                               #"{"id": "astana-1", "name": "Astana 1", "width": 96, "height": 48, "time_zone": "Asia/Almaty"}"#,
                                               headers: [.authorization: "Bearer \(tokens[.admin]!)"])
            #expect(screen.status == .created)
            let samples = ["{sha256}": asset.object?["sha256"]?.stringValue ?? "?", "{id}": "astana-1"]
            func concrete(_ path: String) -> String { samples.reduce(path) { $0.replacingOccurrences(of: $1.key, with: $1.value) } }
            for rule in AccessRules.table where rule.audience != .anyone {
                for role in Role.allCases {
                    let body: String? = rule.method == .post ? "{}" : nil
                    let response = try await client.json(rule.method, concrete(rule.path), body,
                                                         headers: [.authorization: "Bearer \(tokens[role]!)"])
                    let allowed = AccessRules.allows(rule.audience, role)
                    // A handler's 404 explains itself in JSON; the router's "no such route" does not.
                    #expect(!(response.status == .notFound && response.object?["error"] == nil), "\(rule.method) \(rule.path) has no route")
                    #expect(allowed == (response.status != .forbidden && response.status != .unauthorized),
                            "\(role) \(rule.method) \(rule.path): \(response.status) \(response.text)")
                }
                // And nobody signed in gets 401.
                let anonymous = try await client.json(rule.method, concrete(rule.path), rule.method == .post ? "{}" : nil)
                #expect(anonymous.status == .unauthorized, "anonymous \(rule.method) \(rule.path): \(anonymous.status)")
            }
        }
    }

    @Test func theTableNamesEachRouteOnce() {
        let keys = AccessRules.table.map { "\($0.method) \($0.path)" }
        #expect(Set(keys).count == keys.count)
        #expect(AccessRules.rule(.post, "/api/v1/accounts")?.audience == .roles([.admin]))
        #expect(AccessRules.rule(.delete, "/api/v1/accounts") == nil)
    }

    @Test func anUnknownBearerTokenIsRefused() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            let response = try await client.json(.get, "/api/v1/session", headers: [.authorization: "Bearer not-a-token"])
            #expect(response.status == .unauthorized)
            #expect(response.object?["error"]?.stringValue == "unknown API token")
            let missing = try await client.json(.get, "/api/v1/nothing-here")
            #expect(missing.status == .notFound && missing.object?["error"] == nil)
            let malformed = try await client.json(.get, "/api/v1/session", headers: [.authorization: "Basic YTpi"])
            #expect(malformed.status == .unauthorized)
        }
    }
}

extension AccessRuleTests {
    @Test func theOpenAPIDocumentDescribesEveryRoute() async throws {
        for rule in AccessRules.table {
            let key = "\(rule.method) \(OpenAPIDocument.openAPIPath(rule.path))"
            #expect(!(OpenAPIDocument.summaries[key] ?? "").isEmpty, "\(key) has no summary")
        }
        let fixture = try ServerFixture()
        try await fixture.test { client in
            let response = try await client.json(.get, "/openapi.json")
            #expect(response.status == .ok)
            let paths = try #require(response.object?["paths"]?.objectValue)
            let operations = paths.members.reduce(0) { $0 + ($1.value.objectValue?.members.count ?? 0) }
            #expect(operations == AccessRules.table.count)
            #expect(paths["/api/v1/accounts"]?.objectValue?["post"]?.objectValue?["x-signet-roles"] == .array(["admin"]))
        }
    }
}
