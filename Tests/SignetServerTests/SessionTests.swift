import HTTPTypes
import HummingbirdTesting
import SignetCore
import Testing

@testable import SignetServer

@Suite("Signing in: cookies, CSRF, lockout, throttling, one-time passwords, audit")
struct SessionTests {
    @Test func aSessionCookieIsHttpOnlyAndStrict() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            let response = try await client.json(.post, "/api/v1/session", #"{"name": "editor", "password": "\#(ServerFixture.password)"}"#)
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("signet_session="))
            #expect(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict") && cookie.contains("; Path=/"))
            #expect(!cookie.contains("Secure"))
            #expect(response.object?["account"]?.objectValue?["role"]?.stringValue == "editor")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
        }
        var secure = try ServerFixture()
        secure.config.secureCookies = true
        try await secure.addRoleAccounts()
        try await secure.test { client in
            let response = try await client.json(.post, "/api/v1/session", #"{"name": "editor", "password": "\#(ServerFixture.password)"}"#)
            #expect(response.headers[.setCookie]?.hasSuffix("; Secure") == true)
        }
    }

    @Test func changesFromABrowserSessionNeedTheCSRFToken() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            let session = try await client.signIn("admin")
            let withoutToken = try await client.json(.post, "/api/v1/accounts", #"{"name": "ana", "role": "viewer"}"#,
                                                     headers: [.cookie: session.cookie])
            #expect(withoutToken.status == .forbidden)
            #expect(withoutToken.object?["error"]?.stringValue?.contains("X-CSRF-Token") == true)
            // Another token of the same length (its first character changed).
            let wrong = (session.csrf.first == "x" ? "y" : "x") + session.csrf.dropFirst()
            let wrongToken = try await client.json(.post, "/api/v1/accounts", #"{"name": "ana", "role": "viewer"}"#,
                                                   headers: [.cookie: session.cookie, GuardedRouter.csrfHeader: wrong])
            #expect(wrongToken.status == .forbidden)
            let reads = try await client.json(.get, "/api/v1/accounts", headers: [.cookie: session.cookie])
            #expect(reads.status == .ok)  // reading needs no token
            let created = try await client.json(.post, "/api/v1/accounts", #"{"name": "ana", "role": "viewer"}"#,
                                                headers: [.cookie: session.cookie, GuardedRouter.csrfHeader: session.csrf])
            #expect(created.status == .created)
            #expect(created.object?["one_time_password"]?.stringValue?.count == 20)
            let again = try await client.json(.post, "/api/v1/accounts", #"{"name": "ana", "role": "viewer"}"#,
                                              headers: [.cookie: session.cookie, GuardedRouter.csrfHeader: session.csrf])
            #expect(again.status == .conflict)
            let signOut = try await client.json(.delete, "/api/v1/session", headers: [.cookie: session.cookie, GuardedRouter.csrfHeader: session.csrf])
            #expect(signOut.status == .ok)
            let after = try await client.json(.get, "/api/v1/session", headers: [.cookie: session.cookie])
            #expect(after.status == .unauthorized)
        }
    }

    @Test func repeatedFailuresLockTheAccountWithoutRevealingNames() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            let unknown = try await client.json(.post, "/api/v1/session", #"{"name": "nobody", "password": "guess"}"#)
            let wrong = try await client.json(.post, "/api/v1/session", #"{"name": "operator", "password": "guess"}"#)
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            #expect(unknown.text == wrong.text)  // the same refusal either way
            for _ in 0..<4 { _ = try await client.json(.post, "/api/v1/session", #"{"name": "operator", "password": "guess"}"#) }
            let locked = try await client.json(.post, "/api/v1/session", #"{"name": "operator", "password": "\#(ServerFixture.password)"}"#)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] == "900")
            fixture.clock.advance(minutes: 15)
            _ = try await client.signIn("operator")
            let events = try await fixture.store.auditEvents()
            #expect(events.filter { $0.action == "session.refused" }.count == 7)
            #expect(events.contains { $0.action == "account.lock" && $0.subject == "operator" })
            #expect(events.last?.action == "session.start")
        }
    }

    @Test func oneAddressIsThrottledAcrossAccounts() async throws {
        var fixture = try ServerFixture()
        fixture.config.loginAttemptsPerMinute = 3
        try await fixture.addRoleAccounts()
        let clock = fixture.clock
        try await fixture.test { client in
            for name in ["viewer", "editor", "approver"] {
                _ = try await client.json(.post, "/api/v1/session", #"{"name": "\#(name)", "password": "guess"}"#)
            }
            let fourth = try await client.json(.post, "/api/v1/session", #"{"name": "admin", "password": "\#(ServerFixture.password)"}"#)
            #expect(fourth.status == .tooManyRequests)
            clock.advance(minutes: 1)
            _ = try await client.signIn("admin")
        }
    }

    @Test func aOneTimePasswordMustBeChangedFirst() async throws {
        let fixture = try ServerFixture()
        let password = try await fixture.store.createFirstAdmin(name: "root-admin", cost: 4, at: fixture.clock.now())
        await #expect(throws: ConfigError.self) {
            try await fixture.store.createFirstAdmin(name: "second", cost: 4, at: fixture.clock.now())
        }
        try await fixture.test { client in
            let session = try await client.signIn("root-admin", password)
            let headers: HTTPFields = [.cookie: session.cookie, GuardedRouter.csrfHeader: session.csrf]
            let blocked = try await client.json(.get, "/api/v1/accounts", headers: headers)
            #expect(blocked.status == .forbidden)
            #expect(blocked.object?["error"]?.stringValue?.contains("one-time password") == true)
            let short = try await client.json(.post, "/api/v1/me/password", #"{"current": "\#(password)", "new": "short"}"#, headers: headers)
            #expect(short.status == .badRequest)
            let wrong = try await client.json(.post, "/api/v1/me/password", #"{"current": "nope", "new": "a much longer passphrase"}"#,
                                              headers: headers)
            #expect(wrong.status == .forbidden)
            let changed = try await client.json(.post, "/api/v1/me/password",
                                                #"{"current": "\#(password)", "new": "a much longer passphrase"}"#, headers: headers)
            #expect(changed.status == .ok)
            #expect(try await client.json(.get, "/api/v1/accounts", headers: headers).status == .ok)
            let old = try await client.json(.post, "/api/v1/session", #"{"name": "root-admin", "password": "\#(password)"}"#)
            #expect(old.status == .unauthorized)
            _ = try await client.signIn("root-admin", "a much longer passphrase")
            #expect(try await fixture.store.auditEvents().contains { $0.action == "password.change" && $0.subject == "root-admin" })
        }
    }

    @Test func badRequestBodiesAreRefusedClearly() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            let cases: [(String, String)] = [
                (#"{"name": "a", "password": "b""#, "invalid JSON"),
                (#"{"name": "a", "password": 1.5}"#, "invalid JSON"),
                (#"{"name": "a", "name": "b", "password": "c"}"#, "invalid JSON"),
                (#"["name"]"#, "the body must be a JSON object"),
                (#"{"name": "a", "password": "b", "admin": true}"#, "admin: unknown field"),
                (#"{"name": "", "password": "b"}"#, "name: a string of 1 to 200 characters is required"),
            ]
            for (body, expected) in cases {
                let response = try await client.json(.post, "/api/v1/session", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.object?["error"]?.stringValue?.hasPrefix(expected) == true, "\(body): \(response.text)")
            }
            let huge = try await client.json(.post, "/api/v1/session", "{\"name\": \"" + String(repeating: "a", count: 300_000) + "\"}")
            #expect(huge.status == .contentTooLarge)
            #expect(try await fixture.store.accountCount() == 0)
        }
    }
}

@Suite("secrets")
struct SecretsTests {
    /// A token is pasted after `--token` on command lines: one starting with "-" would be read as
    /// an option (it made an approver's test fail once in 64 runs).
    @Test func tokensAre43Base64urlCharactersNeverStartingWithADash() {
        let tokens = (0..<2_000).map { _ in Secrets.token() }
        #expect(tokens.allSatisfy { $0.count == 43 && !$0.hasPrefix("-") })
        #expect(tokens.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.contains { $0.contains("-") }, "dashes elsewhere are kept")
    }
}
