import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import Testing

@testable import SignetServer

extension ServerStore {
    /// Every row of every table (the audit trail and the log's entries too: bad input is refused
    /// before anything is recorded) but the log's signed checkpoints (signed on a timer), in a
    /// fixed order: two equal dumps mean nothing changed.
    func dump() async throws -> String {
        try await database.read { db in
            let tables = try db.fetchAll(String.self, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                AND name NOT IN ('grdb_migrations', 'log_checkpoint') ORDER BY name
                """)
            return try tables.map { table in
                let order = table == "log_hash" ? "level, idx" : "rowid"  // a table without rowid
                return "\(table): " + (try db.fetchAll(sql: "SELECT * FROM \"\(table)\" ORDER BY \(order)").map(\.description).joined(separator: "; "))
            }.joined(separator: "\n")
        }
    }
}

@Suite("Bad input gets its status and a JSON error, and changes nothing")
struct BadInputTests {
    /// Every route that reads a JSON body, called by a role it admits with broken JSON, JSON of the
    /// wrong shape, and unknown fields: 400 with {"error": ...}, and the database as it was.
    @Test func everyJSONRouteRefusesBrokenBodiesWithoutAChange() async throws {
        let fixture = try await ServerFixture.withRepository()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await fixture.test { client in
            var tokens: [Role: String] = [:]
            for role in Role.allCases { tokens[role] = try await client.token(for: role.rawValue) }
            let (editor, _) = try await ServerProgrammeTests().prepare(client)
            _ = try await client.json(.put, "/api/v1/programme", ServerProgrammeTests.document, headers: [.authorization: "Bearer \(editor)"])
            _ = try await client.json(.post, "/api/v1/releases", headers: [.authorization: "Bearer \(editor)"])
            let samples = ["{id}": "astana-1", "{group}": "astana"]
            // Routes that take no body (their body is ignored) are left out.
            let bodiless: Set<String> = ["/api/v1/screens/{id}/enrollment", "/api/v1/me/totp"]
            let before = try await fixture.store.dump()
            var checked = 0
            for rule in AccessRules.table where [.post, .put].contains(rule.method) && rule.path != "/api/v1/assets" && !bodiless.contains(rule.path)
                && rule.audience != .device {
                let role = Role.allCases.first { AccessRules.allows(rule.audience, $0) } ?? .admin
                let path = rule.path.hasPrefix("/api/v1/releases/") ? rule.path.replacingOccurrences(of: "{id}", with: "1")
                    : samples.reduce(rule.path) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
                // A programme that parses but is no programme is unprocessable (422); broken JSON is 400 everywhere.
                let documented: [HTTPResponse.Status] = rule.path == "/api/v1/programme" ? [.badRequest, .unprocessableContent] : [.badRequest]
                for body in [#"{"name": "#, "[1, 2]", #"{"x": 1.5}"#, #"{"a": 1, "a": 2}"#, "\u{FEFF}{}", #"{"unknown_field": true}"#] {
                    let headers: HTTPFields = rule.audience == .anyone ? [:] : [.authorization: "Bearer \(tokens[role]!)"]
                    let response = try await client.json(rule.method, path, body, headers: headers)
                    #expect((documented + (rule.audience == .anyone ? [.unauthorized, .forbidden] : [])).contains(response.status),
                            "\(rule.method) \(path) with \(body): \(response.status) \(response.text)")
                    #expect(response.object?["error"]?.stringValue?.isEmpty == false, "\(rule.method) \(path): no JSON error")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                }
                checked += 1
            }
            #expect(checked == 13)  // session, enroll, password, tokens, TOTP confirm, screens, programme, its preview, releases, signatures, accounts, group approvers, commands
            #expect(try await fixture.store.dump() == before)
        }
    }

    @Test func pathTraversalAndOversizedBodiesAreRefusedWithoutAChange() async throws {
        var fixture = try ServerFixture()
        fixture.config.maxAssetBytes = 4096
        try await fixture.addRoleAccounts()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        try ReleaseTests.trialRepository(fixture)
        let store = fixture.store
        try await fixture.test { client in
            let token = try await client.token(for: "editor")
            let headers: HTTPFields = [.authorization: "Bearer \(token)"]
            let before = try await store.dump()
            // Names that climb out of a folder, in the asset store or the repository.
            for uri in ["/api/v1/assets/..%2F..%2Fsignet.sqlite", "/api/v1/assets/../../signet.sqlite", "/repository/..%2Fsignet.sqlite",
                        "/repository/metadata/..%2F..%2Fkeys%2Ftimestamp.key", "/repository/.%2E/keys/timestamp.key",
                        "/api/v1/assets/" + String(repeating: "0", count: 63) + "/"] {
                let response = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(response.status == .notFound || response.status == .badRequest, "\(uri): \(response.status)")
                #expect(!response.text.contains("PRIVATE KEY") && !response.text.contains("SQLite format"), "\(uri) leaked a file")
            }
            for name in ["../x.png", "a/b.png", "%2E%2E%2Fx.png", String(repeating: "n", count: 300)] {
                let response = try await client.execute(uri: "/api/v1/assets?name=\(name)", method: .post, headers: headers,
                                                        body: ByteBuffer(bytes: AssetTests.png))
                #expect(response.status == .badRequest, "name \(name): \(response.status)")
                #expect(response.object?["error"] != nil)
            }
            // A JSON body over the API's limit, and a programme over its own.
            let big = "{\"label\": \"" + String(repeating: "x", count: 300 * 1024) + "\"}"
            let tooBig = try await client.json(.post, "/api/v1/me/tokens", big, headers: headers)
            #expect(tooBig.status == .contentTooLarge && tooBig.object?["error"] != nil)
            #expect(try await store.dump() == before)
        }
    }
}
