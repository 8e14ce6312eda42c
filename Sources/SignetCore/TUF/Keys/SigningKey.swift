import Crypto
import Foundation
import _CryptoExtras

/// The signature algorithms Signet can sign with; ed25519 is the default.
public enum KeyAlgorithm: String, Sendable, CaseIterable {
    case ed25519
    case ecdsa
    case rsa
}

/// A private key that signs TUF metadata. Stored as PKCS#8 (or PKCS#1 for RSA) PEM.
///
/// Held as its raw private bytes and, built once, swift-crypto's key object (whose types are not
/// `Sendable`, but which only reads its key when signing): deriving an Ed25519 key from its seed
/// costs as much as a signature, so it is not done per signature.
public struct SigningKey: Sendable {
    public let algorithm: KeyAlgorithm
    private let privateBytes: [UInt8]
    public let publicKey: PublicKey
    private let signer: Signer

    /// The built key; immutable after init.
    private final class Signer: @unchecked Sendable {
        let sign: ([UInt8]) throws -> [UInt8]
        init(_ sign: @escaping ([UInt8]) throws -> [UInt8]) { self.sign = sign }
    }

    private init(algorithm: KeyAlgorithm, privateBytes: [UInt8]) throws {
        self.algorithm = algorithm
        self.privateBytes = privateBytes
        switch algorithm {
        case .ed25519:
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateBytes)
            publicKey = PublicKey(keyType: "ed25519", scheme: "ed25519", publicValue: Hex.encode(key.publicKey.rawRepresentation))
            signer = Signer { Array(try key.signature(for: $0)) }
        case .ecdsa:
            let key = try P256.Signing.PrivateKey(rawRepresentation: privateBytes)
            publicKey = PublicKey(keyType: "ecdsa", scheme: "ecdsa-sha2-nistp256", publicValue: key.publicKey.pemRepresentation + "\n")
            signer = Signer { Array(try key.signature(for: $0).derRepresentation) }
        case .rsa:
            let key = try _RSA.Signing.PrivateKey(derRepresentation: privateBytes)
            publicKey = PublicKey(keyType: "rsa", scheme: "rsassa-pss-sha256", publicValue: key.publicKey.pemRepresentation + "\n")
            signer = Signer { Array(try key.signature(for: $0, padding: .PSS).rawRepresentation) }
        }
    }

    public static func generate(_ algorithm: KeyAlgorithm = .ed25519) throws -> SigningKey {
        switch algorithm {
        case .ed25519: try SigningKey(algorithm: algorithm, privateBytes: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
        case .ecdsa: try SigningKey(algorithm: algorithm, privateBytes: Array(P256.Signing.PrivateKey().rawRepresentation))
        case .rsa: try SigningKey(algorithm: algorithm, privateBytes: Array(try _RSA.Signing.PrivateKey(keySize: .bits3072).derRepresentation))
        }
    }

    public var keyID: String { publicKey.keyID }

    /// Signs `message` (the canonical bytes of a `signed` object) the way securesystemslib does:
    /// raw Ed25519, DER-encoded ECDSA over SHA-256, RSASSA-PSS with SHA-256 and a 32-byte salt.
    public func sign(_ message: [UInt8]) throws -> [UInt8] { try signer.sign(message) }

    // MARK: PEM

    /// RFC 8410 PKCS#8 prefix for an Ed25519 private key; the 32-byte seed follows.
    private static let ed25519PKCS8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    public var pemRepresentation: String {
        switch algorithm {
        case .ed25519:
            PEM.encode(label: "PRIVATE KEY", der: Self.ed25519PKCS8Prefix + privateBytes)
        case .ecdsa:
            ((try? P256.Signing.PrivateKey(rawRepresentation: privateBytes).pemRepresentation) ?? "") + "\n"
        case .rsa:
            ((try? _RSA.Signing.PrivateKey(derRepresentation: privateBytes).pemRepresentation) ?? "") + "\n"
        }
    }

    public init(pem: String) throws(TUFError) {
        do {
            if let der = PEM.decode(label: "PRIVATE KEY", pem: pem), der.count == 48,
               Array(der.prefix(16)) == Self.ed25519PKCS8Prefix
            {
                try self.init(algorithm: .ed25519, privateBytes: Array(der.suffix(32)))
            } else if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
                try self.init(algorithm: .ecdsa, privateBytes: Array(key.rawRepresentation))
            } else if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
                try self.init(algorithm: .rsa, privateBytes: Array(key.derRepresentation))
            } else {
                throw TUFError(.malformed, "not a PEM private key of a supported type (ed25519, ecdsa P-256, rsa)")
            }
        } catch let error as TUFError {
            throw error
        } catch {
            throw TUFError(.malformed, "unreadable private key: \(error)")
        }
    }
}

enum PEM {
    static func encode(label: String, der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }

    static func decode(label: String, pem: String) -> [UInt8]? {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let start = pem.range(of: begin), let stop = pem.range(of: end), start.upperBound <= stop.lowerBound
        else { return nil }
        let body = pem[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map(Array.init)
    }
}
