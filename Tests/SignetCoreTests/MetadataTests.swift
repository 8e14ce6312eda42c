import Testing

@testable import SignetCore

@Suite("TUF metadata: parsing, round-trips and thresholds")
struct MetadataTests {
    static let expires = TUFTime(iso8601: "2030-01-01T00:00:00Z")!

    @Test func roundTripKeepsUnknownFieldsAndSignatures() throws {
        let key = try SigningKey.generate()
        var root = Root(expires: Self.expires)
        for role in Root.topLevelRoles { root.addKey(key.publicKey, to: role) }
        root.unrecognized["x-signet"] = ["commands": ["keyids": ["abc"]], "note": "Қош келдіңіз"]
        var metadata = Metadata(signed: root)
        try metadata.sign(with: key)
        var bytes = metadata.encoded()
        // An unknown field inside a role entry and in a key object survives too.
        var json = try JSONParser().parse(bytes).objectValue!
        var signed = json["signed"]!.objectValue!
        var roles = signed["roles"]!.objectValue!
        var targetsRole = roles["targets"]!.objectValue!
        targetsRole["x-extra"] = 7
        roles["targets"] = .object(targetsRole)
        signed["roles"] = .object(roles)
        json["signed"] = .object(signed)
        json["x-envelope"] = true
        bytes = JSONWriter.compact.encode(.object(json))

        let parsed = try Metadata<Root>(bytes: bytes)
        #expect(parsed.signed.unrecognized["x-signet"] == root.unrecognized["x-signet"])
        #expect(parsed.signed.roles["targets"]?.unrecognized["x-extra"] == 7)
        #expect(parsed.unrecognized["x-envelope"] == true)
        // Re-encoding the typed value gives the same canonical bytes as received.
        #expect(CanonicalJSON.encode(.object(parsed.signed.jsonObject())) == parsed.canonicalSigned)
        #expect(try JSONParser().parse(parsed.encoded()) == .object(json))
    }

    @Test func targetsWithDelegationsRoundTrip() throws {
        let key = try SigningKey.generate(.ecdsa)
        var targets = Targets(expires: Self.expires)
        targets.targets["astana/flag.png"] = TargetFile(contents: Array("flag".utf8), algorithms: ["sha256", "sha512"],
                                                       custom: ["screens": ["astana-1"]])
        targets.delegations = Delegations(keys: [key.keyID: key.publicKey], roles: [
            DelegatedRole(name: "city-astana", keyIDs: [key.keyID], threshold: 1, terminating: true, paths: ["astana/*"]),
            DelegatedRole(name: "bins", keyIDs: [key.keyID], threshold: 1, pathHashPrefixes: ["00", "01"]),
        ])
        let bytes = Metadata(signed: targets).encoded()
        let parsed = try Metadata<Targets>(bytes: bytes)
        #expect(parsed.signed == targets)
        #expect(parsed.signed.targets["astana/flag.png"]?.custom == ["screens": ["astana-1"]])
        #expect(parsed.signed.targets["astana/flag.png"]?.hashes.keys == ["sha256", "sha512"])
        #expect(parsed.signed.delegations?.roles(forTarget: "astana/flag.png").map(\.name) == ["city-astana"])

        var succinct = Targets(expires: Self.expires)
        succinct.delegations = Delegations(keys: [key.keyID: key.publicKey],
                                           succinctRoles: SuccinctRoles(keyIDs: [key.keyID], threshold: 1, bitLength: 4, namePrefix: "bin"))
        let parsedSuccinct = try Metadata<Targets>(bytes: Metadata(signed: succinct).encoded())
        #expect(parsedSuccinct.signed == succinct)
        #expect(parsedSuccinct.signed.delegation(for: "bin-a") != nil)
        #expect(parsedSuccinct.signed.delegation(for: "bin-10") == nil)
    }

    func malformedReason(_ text: String) -> String? {
        do {
            _ = try Metadata<Targets>(bytes: Array(text.utf8))
            return nil
        } catch {
            return error.message
        }
    }

    static let header = #""_type":"targets","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z""#

    @Test func rejectsBadShapesWithTheFieldNamed() {
        let h = Self.header
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{}},"signatures":[]}"#) == nil)
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{}}}"#) == "targets.signatures is missing")
        #expect(malformedReason(#"{"signed":{\#(h),"targets":[]},"signatures":[]}"#)
            == "targets.signed.targets must be an object, found array")
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{"a":{"length":-1,"hashes":{"sha256":"00"}}}},"signatures":[]}"#)
            == "targets.signed.targets.a.length must not be negative")
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{"a":{"length":1,"hashes":{}}}},"signatures":[]}"#)
            == "targets.signed.targets.a.hashes must not be empty")
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{"a":{"length":1.5,"hashes":{}}}},"signatures":[]}"#)?
            .contains("floating-point numbers are not allowed") == true)
        #expect(malformedReason(#"{"signed":{"_type":"root","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z","targets":{}},"signatures":[]}"#)
            == #"targets.signed._type is "root", expected "targets""#)
        #expect(malformedReason(#"{"signed":{"_type":"targets","spec_version":"2.0.0","version":1,"expires":"2030-01-01T00:00:00Z","targets":{}},"signatures":[]}"#)
            == #"targets.signed.spec_version "2.0.0" is not 1.x"#)
        #expect(malformedReason(#"{"signed":{"_type":"targets","spec_version":"1.0.31","version":0,"expires":"2030-01-01T00:00:00Z","targets":{}},"signatures":[]}"#)
            == "targets.signed.version must be at least 1")
        #expect(malformedReason(#"{"signed":{"_type":"targets","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00+00:00","targets":{}},"signatures":[]}"#)
            == #"targets.signed.expires "2030-01-01T00:00:00+00:00" is not YYYY-MM-DDTHH:MM:SSZ"#)
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{}},"signatures":[{"keyid":"a","sig":"00"},{"keyid":"a","sig":"11"}]}"#)
            == "targets.signatures names key a more than once")
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{},"delegations":{"keys":{},"roles":[{"name":"r","keyids":[],"threshold":1,"terminating":false}]}},"signatures":[]}"#)
            == "targets.signed.delegations.roles[0] must have exactly one of paths and path_hash_prefixes")
        #expect(malformedReason(#"{"signed":{\#(h),"targets":{},"delegations":{"keys":{},"roles":[{"name":"root","keyids":[],"threshold":1,"terminating":false,"paths":[]}]}},"signatures":[]}"#)
            == "targets.signed.delegations.roles[0].name must not be empty or a top-level role name")
    }

    @Test func rootNeedsExactlyTheTopLevelRolesAndUniqueKeyIDs() throws {
        let key = try SigningKey.generate()
        var root = Root(expires: Self.expires)
        root.addKey(key.publicKey, to: "root")
        var json = root.jsonObject()
        var roles = json["roles"]!.objectValue!
        roles["mirrors"] = ["keyids": [], "threshold": 1]
        json["roles"] = .object(roles)
        #expect(throws: TUFError.self) { try Root(signed: .object(json)) }

        json = root.jsonObject()
        roles = json["roles"]!.objectValue!
        roles["root"] = ["keyids": [.string(key.keyID), .string(key.keyID)], "threshold": 2]
        json["roles"] = .object(roles)
        #expect(throws: TUFError(.malformed, "root.roles.root.keyids lists the same value more than once")) {
            try Root(signed: .object(json))
        }
    }

    @Test func thresholdCountsEachKeyOnce() throws {
        let a = try SigningKey.generate(), b = try SigningKey.generate(), c = try SigningKey.generate()
        let keys: KeyTable = [a.keyID: a.publicKey, b.keyID: b.publicKey, c.keyID: c.publicKey]
        let role = RoleKeys(keyIDs: [a.keyID, b.keyID, c.keyID], threshold: 2)
        var metadata = Metadata(signed: Targets(expires: Self.expires))
        try metadata.sign(with: a)
        #expect(throws: TUFError(.threshold, "targets: 1 valid signature, threshold is 2")) {
            try metadata.verify(keys: keys, role: role, roleName: "targets")
        }
        // A signature by a key the role does not list does not count.
        let outsider = try SigningKey.generate()
        try metadata.sign(with: outsider)
        #expect(throws: TUFError.self) { try metadata.verify(keys: keys, role: role, roleName: "targets") }
        // Empty and malformed signatures are ignored, not fatal.
        metadata.signatures.append(Signature(keyID: c.keyID, signature: ""))
        #expect(throws: TUFError.self) { try metadata.verify(keys: keys, role: role, roleName: "targets") }
        try metadata.sign(with: b)
        try metadata.verify(keys: keys, role: role, roleName: "targets")
    }

    @Test func aKeyListedUnderAFalseIDDoesNotCount() throws {
        let a = try SigningKey.generate()
        let fakeID = String(repeating: "ab", count: 32)
        // The same key listed twice, once under a made-up id, with threshold 2.
        let keys: KeyTable = [a.keyID: a.publicKey, fakeID: a.publicKey]
        let role = RoleKeys(keyIDs: [a.keyID, fakeID], threshold: 2)
        var metadata = Metadata(signed: Targets(expires: Self.expires))
        try metadata.sign(with: a)
        metadata.signatures.append(Signature(keyID: fakeID, signature: metadata.signatures[0].signature))
        #expect(throws: TUFError(.threshold, "targets: 1 valid signature, threshold is 2")) {
            try metadata.verify(keys: keys, role: role, roleName: "targets")
        }
    }

    @Test func changingTheBodyInvalidatesSignatures() throws {
        let a = try SigningKey.generate()
        var metadata = Metadata(signed: Targets(expires: Self.expires))
        try metadata.sign(with: a)
        let keys: KeyTable = [a.keyID: a.publicKey]
        let role = RoleKeys(keyIDs: [a.keyID], threshold: 1)
        try metadata.verify(keys: keys, role: role, roleName: "targets")
        metadata.signed.targets["new"] = TargetFile(contents: [1])
        #expect(throws: TUFError.self) { try metadata.verify(keys: keys, role: role, roleName: "targets") }
    }
}
