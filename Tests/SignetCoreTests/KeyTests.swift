import Testing

@testable import SignetCore

@Suite("Keys, key ids and signatures")
struct KeyTests {
    /// RFC 8032 section 7.1, test 1.
    static let rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let rfc8032Public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let rfc8032Signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

    static func rfc8032Key() throws -> SigningKey {
        let prefix = Hex.decode("302e020100300506032b657004220420")!
        return try SigningKey(pem: PEM.encode(label: "PRIVATE KEY", der: prefix + Hex.decode(rfc8032Seed)!))
    }

    @Test func ed25519MatchesRFC8032() throws {
        let key = try Self.rfc8032Key()
        #expect(key.publicKey.publicValue == Self.rfc8032Public)
        #expect(Hex.encode(try key.sign([])) == Self.rfc8032Signature)
        #expect(key.publicKey.verify(signature: Hex.decode(Self.rfc8032Signature)!, message: []))
    }

    @Test func keyIDIsSHA256OfCanonicalKeyObject() throws {
        let key = try Self.rfc8032Key().publicKey
        // sha256 of {"keytype":"ed25519","keyval":{"public":"d75a..."},"scheme":"ed25519"}
        let canonical = #"{"keytype":"ed25519","keyval":{"public":"\#(Self.rfc8032Public)"},"scheme":"ed25519"}"#
        #expect(String(decoding: CanonicalJSON.encode(.object(key.json)), as: UTF8.self) == canonical)
        #expect(key.keyID == HashAlgorithm.digest("sha256", of: Array(canonical.utf8)))
    }

    @Test func keyIDCoversUnknownFields() throws {
        var object = try Self.rfc8032Key().publicKey.json
        let plain = try PublicKey(json: .object(object))
        object["x-custom"] = "kept"
        let custom = try PublicKey(json: .object(object))
        #expect(plain.keyID != custom.keyID)
        #expect(custom.json["x-custom"] == "kept")
    }

    @Test(arguments: [KeyAlgorithm.ed25519, .ecdsa, .rsa])
    func signsAndVerifies(_ algorithm: KeyAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        let message = Array("canonical bytes".utf8)
        let signature = try key.sign(message)
        #expect(key.publicKey.verify(signature: signature, message: message))
        #expect(!key.publicKey.verify(signature: signature, message: message + [0]))
        var corrupted = signature
        corrupted[corrupted.count / 2] ^= 1
        #expect(!key.publicKey.verify(signature: corrupted, message: message))
        // The PEM file round-trips to the same key.
        let reloaded = try SigningKey(pem: key.pemRepresentation)
        #expect(reloaded.keyID == key.keyID)
        #expect(reloaded.algorithm == algorithm)
    }

    @Test func publicKeyTypesAndSchemes() throws {
        #expect(try SigningKey.generate(.ecdsa).publicKey.publicValue.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let ecdsa = try SigningKey.generate(.ecdsa).publicKey
        #expect((ecdsa.keyType, ecdsa.scheme) == ("ecdsa", "ecdsa-sha2-nistp256"))
        // The legacy key type name verifies too.
        let legacy = PublicKey(keyType: "ecdsa-sha2-nistp256", scheme: "ecdsa-sha2-nistp256", publicValue: ecdsa.publicValue)
        let key = try SigningKey.generate(.ecdsa)
        let legacyOfKey = PublicKey(keyType: "ecdsa-sha2-nistp256", scheme: "ecdsa-sha2-nistp256",
                                    publicValue: key.publicKey.publicValue)
        #expect(legacyOfKey.verify(signature: try key.sign([1, 2, 3]), message: [1, 2, 3]))
        #expect(!legacy.verify(signature: try key.sign([1, 2, 3]), message: [1, 2, 3]))
    }

    @Test func unsupportedOrMalformedKeysVerifyNothing() throws {
        let key = try Self.rfc8032Key()
        let signature = try key.sign([7])
        let wrongScheme = PublicKey(keyType: "ed25519", scheme: "ecdsa-sha2-nistp256", publicValue: key.publicKey.publicValue)
        let badHex = PublicKey(keyType: "ed25519", scheme: "ed25519", publicValue: "zz")
        #expect(!wrongScheme.verify(signature: signature, message: [7]))
        #expect(!badHex.verify(signature: signature, message: [7]))
    }

    @Test func rejectsGarbagePrivateKeys() {
        #expect(throws: TUFError.self) { try SigningKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: TUFError.self) { try SigningKey(pem: "not a key") }
    }
}
