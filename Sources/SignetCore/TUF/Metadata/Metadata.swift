/// One entry of `signatures`: a key id and a hex signature over the canonical `signed` bytes.
public struct Signature: Sendable, Equatable {
    public var keyID: String
    public var signature: String
    public var unrecognized: JSONObject

    public init(keyID: String, signature: String) {
        self.keyID = keyID
        self.signature = signature
        unrecognized = JSONObject()
    }

    public func jsonValue() -> JSONValue {
        var object = unrecognized
        object["keyid"] = .string(keyID)
        object["sig"] = .string(signature)
        return .object(object)
    }
}

/// A signed metadata file: `{"signed": ROLE, "signatures": [...]}`.
public struct Metadata<Role: RoleBody>: Sendable {
    /// The role body. Changing it drops the received JSON, so signing covers the new content.
    public var signed: Role {
        didSet { receivedSigned = nil }
    }
    public var signatures: [Signature]
    public var unrecognized: JSONObject
    /// `signed` exactly as received: signatures are checked over this, never over a re-encoding.
    private var receivedSigned: JSONValue?

    public init(signed: Role) {
        self.signed = signed
        signatures = []
        unrecognized = JSONObject()
    }

    /// Parses and checks the shape of a metadata file. Signatures are not verified here.
    public init(bytes: some Collection<UInt8>, roleName: String = Role.type) throws(TUFError) {
        let value: JSONValue
        do {
            value = try JSONParser(maxBytes: max(bytes.count, 1)).parse(bytes)
        } catch {
            throw TUFError(.malformed, "\(roleName).json: \(error)")
        }
        try self.init(json: value, roleName: roleName)
    }

    public init(json value: JSONValue, roleName: String = Role.type) throws(TUFError) {
        let fields = try MetadataReader(value, context: roleName)
        let signedValue = try fields.value("signed")
        signed = try Role(signed: signedValue, context: "\(roleName).signed")
        receivedSigned = signedValue
        var signatures: [Signature] = []
        var seen = Set<UTF8Key>()
        for (index, element) in try fields.array("signatures").enumerated() {
            let entry = try MetadataReader(element, context: "\(roleName).signatures[\(index)]")
            var signature = Signature(keyID: try entry.string("keyid"), signature: try entry.string("sig"))
            signature.unrecognized = entry.unrecognized(known: ["keyid", "sig"])
            // The specification requires unique key ids; counting a repeat once would still accept
            // a file that a strict client refuses, so the whole file is refused.
            guard seen.insert(UTF8Key(signature.keyID)).inserted else {
                throw TUFError(.malformed, "\(roleName).signatures names key \(signature.keyID) more than once")
            }
            signatures.append(signature)
        }
        self.signatures = signatures
        unrecognized = fields.unrecognized(known: ["signed", "signatures"])
    }

    /// The bytes that signatures cover.
    public var canonicalSigned: [UInt8] {
        CanonicalJSON.encode(receivedSigned ?? .object(signed.jsonObject()))
    }

    public func jsonValue() -> JSONValue {
        var object = unrecognized
        object["signed"] = receivedSigned ?? .object(signed.jsonObject())
        object["signatures"] = .array(signatures.map { $0.jsonValue() })
        return .object(object)
    }

    /// The file as written to a repository: standard JSON, compact, keys sorted. Players fetch
    /// metadata over slow links and only machines read it; `signet repo status` is for people.
    public func encoded(_ writer: JSONWriter = .compact) -> [UInt8] { writer.encode(jsonValue()) }

    /// Adds (or replaces) this key's signature.
    public mutating func sign(with key: SigningKey) throws {
        let signature = Signature(keyID: key.keyID, signature: Hex.encode(try key.sign(canonicalSigned)))
        signatures.removeAll { $0.keyID == signature.keyID }
        signatures.append(signature)
    }

    /// Checks that at least `role.threshold` distinct keys of `role` signed this file.
    ///
    /// A key counts once, only if it is in `keys` under an id that is its real key id, and only if its
    /// signature verifies. Signatures by other keys, empty or malformed signatures are ignored.
    public func verify(keys: KeyTable, role: RoleKeys, roleName: String) throws(TUFError) {
        let message = canonicalSigned
        var valid = 0
        for keyID in Set(role.keyIDs.map(UTF8Key.init)).map(\.string) {
            guard let key = keys[keyID], key.keyID == keyID,
                  let signature = signatures.first(where: { $0.keyID.hasSameUTF8(as: keyID) }),
                  let bytes = Hex.decode(signature.signature), !bytes.isEmpty,
                  key.verify(signature: bytes, message: message)
            else { continue }
            valid += 1
        }
        guard valid >= role.threshold else {
            throw TUFError(.threshold,
                           "\(roleName): \(valid) valid signature\(valid == 1 ? "" : "s"), threshold is \(role.threshold)")
        }
    }

    /// Verifies this file as `roleName`, delegated by `delegator`.
    public func verify(delegatedBy delegator: some Delegator, as roleName: String) throws(TUFError) {
        guard let delegation = delegator.delegation(for: roleName) else {
            throw TUFError(.workflow, "\(roleName) is not delegated by its delegator")
        }
        try verify(keys: delegation.keys, role: delegation.role, roleName: roleName)
    }
}
