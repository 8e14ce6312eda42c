import Crypto
import _CryptoExtras

/// A TUF public key object: `{"keytype", "scheme", "keyval": {"public"}, ...}`.
///
/// The object is kept exactly as it appeared, unknown fields included, because the key id is the
/// SHA-256 of its canonical form.
public struct PublicKey: Sendable, Equatable {
    public let keyType: String
    public let scheme: String
    public let publicValue: String
    public let json: JSONObject
    /// hex(sha256(canonical(key object))).
    public let keyID: String

    public init(json value: JSONValue, context: String = "key") throws(TUFError) {
        let fields = try MetadataReader(value, context: context)
        keyType = try fields.string("keytype")
        scheme = try fields.string("scheme")
        publicValue = try fields.object("keyval").string("public")
        json = fields.object
        keyID = Self.keyID(of: fields.object)
    }

    public init(keyType: String, scheme: String, publicValue: String) {
        self.keyType = keyType
        self.scheme = scheme
        self.publicValue = publicValue
        json = ["keytype": .string(keyType), "scheme": .string(scheme), "keyval": ["public": .string(publicValue)]]
        keyID = Self.keyID(of: json)
    }

    public static func keyID(of object: JSONObject) -> String {
        Hex.encode(SHA256.hash(data: CanonicalJSON.encode(.object(object))))
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.json == rhs.json }

    /// Whether `signature` is this key's signature over `message`. Keys of a type or scheme we do not
    /// support, and malformed keys or signatures, verify nothing: a signature that cannot be checked
    /// does not count towards a threshold.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        switch (keyType, scheme) {
        case ("ed25519", "ed25519"):
            guard let raw = Hex.decode(publicValue),
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else { return false }
            return key.isValidSignature(signature, for: message)
        case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"):
            guard let key = try? P256.Signing.PublicKey(pemRepresentation: publicValue),
                  let ecdsa = try? P256.Signing.ECDSASignature(derRepresentation: signature)
            else { return false }
            return key.isValidSignature(ecdsa, for: message)
        case ("rsa", "rsassa-pss-sha256"):
            guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: publicValue) else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message,
                                        padding: .PSS)
        default:
            return false
        }
    }
}
