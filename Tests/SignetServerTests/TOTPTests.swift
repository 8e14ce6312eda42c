import Foundation
import HTTPTypes
import HummingbirdTesting
import SignetCore
import Testing

@testable import SignetServer

@Suite("TOTP: enrolment, codes at sign-in, replay, roles that require it")
struct TOTPTests {
    func code(_ secret: String, at now: Instant, offset: Int64 = 0) -> String {
        let value = TimeBasedCodes.code(secret: secret, step: now.millisecondsSince1970 / 1000 / TimeBasedCodes.step + offset)
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    @Test func theRFC6238TestVector() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 s: 94287082 (8 digits); 6 digits: 287082.
        #expect(TimeBasedCodes.code(secret: "12345678901234567890", step: 1) == 287_082)
        #expect(TimeBasedCodes.matchingStep(secret: "12345678901234567890", code: "287082", now: Instant(millisecondsSince1970: 59_000)) == 1)
        #expect(TimeBasedCodes.matchingStep(secret: "12345678901234567890", code: "28708", now: Instant(millisecondsSince1970: 59_000)) == nil)
    }

    @Test func anEnrolledAccountSignsInWithACodeThatWorksOnce() async throws {
        var fixture = try ServerFixture()
        fixture.config.requireTOTP = [.operator]
        try await fixture.addRoleAccounts()
        let store = fixture.store, clock = fixture.clock
        try await fixture.test { client in
            let session = try await client.signIn("operator")
            let headers: HTTPFields = [.cookie: session.cookie, GuardedRouter.csrfHeader: session.csrf]
            // Required for operators: nothing else works until an authenticator is enrolled.
            let blocked = try await client.json(.get, "/api/v1/screens", headers: headers)
            #expect(blocked.status == .forbidden)
            #expect(blocked.object?["error"]?.stringValue?.contains("enrol an authenticator") == true)
            let begun = try await client.json(.post, "/api/v1/me/totp", headers: headers)
            #expect(begun.status == .created)
            #expect(begun.object?["otpauth_url"]?.stringValue?.hasPrefix("otpauth://totp/operator?secret=") == true)
            let account = try #require(try await store.credentials(name: "operator")).account
            let secret = try #require(try await store.pendingTOTP(accountID: account.id))
            let wrong = String(format: "%06d", (Int(code(secret, at: clock.now()))! + 1) % 1_000_000)
            #expect(try await client.json(.post, "/api/v1/me/totp/confirm", #"{"code": "\#(wrong)"}"#, headers: headers).status == .forbidden)
            let confirmed = try await client.json(.post, "/api/v1/me/totp/confirm", #"{"code": "\#(code(secret, at: clock.now()))"}"#,
                                                  headers: headers)
            #expect(confirmed.status == .ok)
            #expect(try await client.json(.get, "/api/v1/screens", headers: headers).status == .ok)

            clock.advance(minutes: 1)
            let withoutCode = try await client.json(.post, "/api/v1/session", #"{"name": "operator", "password": "\#(ServerFixture.password)"}"#)
            #expect(withoutCode.status == .unauthorized)
            #expect(withoutCode.object?["error"]?.stringValue?.contains("TOTP code is required") == true)
            let current = code(secret, at: clock.now())
            let good = try await client.json(.post, "/api/v1/session",
                                             #"{"name": "operator", "password": "\#(ServerFixture.password)", "totp": "\#(current)"}"#)
            #expect(good.status == .ok)
            let replay = try await client.json(.post, "/api/v1/session",
                                               #"{"name": "operator", "password": "\#(ServerFixture.password)", "totp": "\#(current)"}"#)
            #expect(replay.status == .unauthorized)
            // One step of drift either way is accepted, once.
            clock.advance(minutes: 1)
            let late = code(secret, at: clock.now(), offset: -1)
            #expect(try await client.json(.post, "/api/v1/session",
                                          #"{"name": "operator", "password": "\#(ServerFixture.password)", "totp": "\#(late)"}"#).status == .ok)
            let events = try await store.auditEvents().map(\.action)
            #expect(events.contains("totp.enable"))
        }
    }
}
