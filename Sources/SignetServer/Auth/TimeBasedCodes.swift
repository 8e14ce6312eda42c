import Foundation
import HummingbirdOTP
import SignetCore

/// RFC 6238 codes (6 digits, 30-second steps, HMAC-SHA1: what authenticator apps use), accepted
/// one step early or late for clock drift; each step's code works once.
enum TimeBasedCodes {
    static let step: Int64 = 30

    static func newSecret() -> String { String(Secrets.token().prefix(20)) }

    static func authenticatorURL(secret: String, account: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: account, issuer: "Signet")
    }

    static func code(secret: String, step: Int64) -> Int {
        TOTP(secret: secret).compute(date: Date(timeIntervalSince1970: TimeInterval(step * Self.step)))
    }

    /// The step whose code `code` is, within one step of `now`, or nil.
    static func matchingStep(secret: String, code: String, now: Instant) -> Int64? {
        guard code.utf8.count == 6, code.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(code) else { return nil }
        let current = now.millisecondsSince1970 / 1000 / Self.step
        return [current, current - 1, current + 1].first { Self.code(secret: secret, step: $0) == value }
    }
}
