import Crypto
import Foundation

/// Why a log's note, checkpoint or tile was refused.
public struct LogFormatError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A C2SP signed note (c2sp.org/signed-note): UTF-8 text ending in a newline, a blank line, and
/// signature lines `— NAME BASE64(KEYHASH ‖ SIGNATURE)`. Ed25519 keys only (type 0x01), as Go's
/// `golang.org/x/mod/sumdb/note` makes and checks them.
public struct SignedNote: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        public let name: String
        public let keyHash: UInt32
        public let bytes: [UInt8]
    }

    public let text: String
    public let signatures: [Signature]

    static let maxSignatures = 100
    static let dash = "\u{2014} "

    /// Signs `text` with one key.
    public static func sign(_ text: String, with signer: NoteKey) throws -> SignedNote {
        try checkText(text)
        guard let key = signer.signingKey else { throw LogFormatError("note: \(signer.name) is a verifier key, not a signing key") }
        return SignedNote(text: text, signatures: [Signature(name: signer.name, keyHash: signer.keyHash, bytes: try key.sign(Array(text.utf8)))])
    }

    init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The note as written.
    public var encoded: String {
        text + "\n" + signatures.map { signature in
            let raw = withUnsafeBytes(of: signature.keyHash.bigEndian, Array.init) + signature.bytes
            return Self.dash + signature.name + " " + Data(raw).base64EncodedString() + "\n"
        }.joined()
    }

    /// Parses a note. Signatures are checked by `verified(by:)`.
    public init(_ note: String) throws(LogFormatError) {
        guard note.utf8.count <= 1 << 20 else { throw LogFormatError("note: larger than 1 MiB") }
        guard let split = note.range(of: "\n\n") else { throw LogFormatError("note: no blank line before the signatures") }
        let text = String(note[..<split.lowerBound]) + "\n"
        try Self.checkText(text)
        let lines = note[split.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines.last == "" else { throw LogFormatError("note: signature lines, each ending in a newline") }
        var signatures: [Signature] = []
        for line in lines.dropLast() {
            guard line.hasPrefix(Self.dash) else { throw LogFormatError("note: a signature line starts with an em dash and a space") }
            let parts = line.dropFirst(Self.dash.count).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, NoteKey.isName(parts[0]), let raw = Data(base64Encoded: String(parts[1])), raw.count > 4 else {
                throw LogFormatError("note: a signature line is \"— NAME BASE64\", a 4-byte key hash and a signature")
            }
            let bytes = Array(raw)
            signatures.append(Signature(name: String(parts[0]), keyHash: bytes[0..<4].reduce(0) { $0 << 8 | UInt32($1) },
                                        bytes: Array(bytes[4...])))
        }
        guard signatures.count <= Self.maxSignatures else { throw LogFormatError("note: more than \(Self.maxSignatures) signatures") }
        self.text = text
        self.signatures = signatures
    }

    /// The note's text if `key` signed it. Signatures by other keys are ignored; one that names
    /// this key and does not verify fails the note.
    public func verified(by key: NoteKey) throws(LogFormatError) -> String {
        let mine = signatures.filter { $0.name == key.name && $0.keyHash == key.keyHash }
        guard !mine.isEmpty else { throw LogFormatError("note: not signed by \(key.name)") }
        for signature in mine where !key.publicKey.verify(signature: signature.bytes, message: Array(text.utf8)) {
            throw LogFormatError("note: the signature of \(key.name) does not verify")
        }
        return text
    }

    /// Non-empty lines of UTF-8 without control characters, each ending in a newline.
    static func checkText(_ text: String) throws(LogFormatError) {
        guard text.hasSuffix("\n"), !text.hasPrefix("\n"), !text.contains("\n\n") else {
            throw LogFormatError("note: the text is non-empty lines, each ending in a newline")
        }
        guard !text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7f }) else {
            throw LogFormatError("note: the text has control characters")
        }
    }
}

/// A note key: its name, its Ed25519 public key and, to sign, the private key. Its verifier key
/// is written `NAME+KEYHASH+BASE64(0x01 ‖ PUBLIC KEY)`, as Go's note package writes it.
public struct NoteKey: Sendable {
    public let name: String
    public let publicKey: PublicKey
    let signingKey: SigningKey?
    let rawPublic: [UInt8]

    static let ed25519: UInt8 = 0x01

    /// A key that signs (and verifies).
    public init(name: String, signingKey: SigningKey) throws(LogFormatError) {
        try self.init(name: name, publicKey: signingKey.publicKey, signingKey: signingKey)
    }

    /// A key that only verifies.
    public init(name: String, publicKey: PublicKey) throws(LogFormatError) {
        try self.init(name: name, publicKey: publicKey, signingKey: nil)
    }

    /// A verifier key as written: `NAME+KEYHASH+BASE64(0x01 ‖ PUBLIC KEY)`.
    public init(verifierKey text: String) throws(LogFormatError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)  // base64 may hold a +
        guard parts.count == 3, parts[1].utf8.count == 8, let hash = UInt32(parts[1], radix: 16),
              let raw = Data(base64Encoded: String(parts[2])).map(Array.init), raw.count == 33, raw[0] == Self.ed25519 else {
            throw LogFormatError("verifier key: NAME+KEYHASH+BASE64 of an Ed25519 key")
        }
        try self.init(name: String(parts[0]), publicKey: PublicKey(keyType: "ed25519", scheme: "ed25519", publicValue: Hex.encode(raw[1...])))
        guard keyHash == hash else { throw LogFormatError("verifier key: the key hash does not match the name and key") }
    }

    init(name: String, publicKey: PublicKey, signingKey: SigningKey?) throws(LogFormatError) {
        guard Self.isName(name) else { throw LogFormatError("note key: a name without spaces or +") }
        guard publicKey.keyType == "ed25519", let raw = Hex.decode(publicKey.publicValue), raw.count == 32 else {
            throw LogFormatError("note key: Ed25519 only")
        }
        self.name = name
        self.publicKey = publicKey
        self.signingKey = signingKey
        rawPublic = raw
    }

    /// The first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), big-endian.
    public var keyHash: UInt32 {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0a, Self.ed25519] + rawPublic)
        return Array(hasher.finalize()).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public var verifierKey: String {
        name + "+" + String(format: "%08x", keyHash) + "+" + Data([Self.ed25519] + rawPublic).base64EncodedString()
    }

    /// Go's rule: not empty, no Unicode spaces, no +.
    static func isName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && !name.contains("+") && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
    }
}
