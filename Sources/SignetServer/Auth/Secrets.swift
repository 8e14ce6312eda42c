import Crypto
import Foundation
import SignetCore

/// Random secrets for sessions, CSRF, API tokens and one-time passwords. Only their SHA-256 is
/// stored for sessions and tokens, so a copy of the database signs nobody in.
enum Secrets {
    /// 32 random bytes, base64url without padding.
    static func token() -> String {
        while true {
            let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            // One in 64 would start with "-", and `--token -x…` on a command line reads as an option.
            if !token.hasPrefix("-") { return token }
        }
    }

    /// A password to read out or paste once: 20 characters from an alphabet without look-alikes.
    static func oneTimePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func hash(_ token: String) -> String { Hex.encode(SHA256.hash(data: Array(token.utf8))) }

    /// Compares without an early exit, so that timing does not tell how much matched.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
