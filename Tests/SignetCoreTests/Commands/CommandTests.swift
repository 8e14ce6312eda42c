import Testing

@testable import SignetCore

@Suite("Signed fleet commands")
struct CommandTests {
    let key = try! KeyTests.rfc8032Key()
    let now = TUFTime(iso8601: "2026-11-29T12:00:00Z")!

    /// A root that names `key` as the commands key, as `signet server init` writes it.
    func commandKeys(_ key: SigningKey) throws -> CommandKeys {
        var root = Root(expires: now.adding(seconds: 86_400))
        root.unrecognized["x-signet"] = .object(["commands": .object([
            "keyids": .array([.string(key.keyID)]), "threshold": 1, "keys": .object([key.keyID: .object(key.publicKey.json)]),
        ])])
        return try CommandKeys(root: root)
    }

    func signed(_ command: Command, with keys: [SigningKey]? = nil) throws -> [UInt8] {
        var metadata = Metadata(signed: command)
        for signer in keys ?? [key] { try metadata.sign(with: signer) }
        return metadata.encoded()
    }

    func blank(sequence: Int64 = 7, screen: String = "astana-1", expires: String = "2026-11-29T12:01:00Z") -> Command {
        Command(action: .blank, screen: screen, sequence: sequence, id: 42, issuedBy: "ana", expires: TUFTime(iso8601: expires)!)
    }

    @Test func theSignedFormIsCanonicalAndItsSignatureFixed() throws {
        let metadata = Metadata(signed: blank())
        #expect(String(decoding: metadata.canonicalSigned, as: UTF8.self) == #"{"_type":"signet-command","action":"blank","expires":"2026-11-29T12:01:00Z","id":42,"issued_by":"ana","screen":"astana-1","spec_version":"1.0.31","version":7}"#)
        var signedMetadata = metadata
        try signedMetadata.sign(with: key)
        #expect(signedMetadata.signatures.first?.keyID == key.keyID)
        #expect(signedMetadata.signatures.first?.signature == "3794a8ab05651c2758d0b314451b4131de944a704d8e2a5e88c1603c93746ccee5edc6d850360e208a4d8f7026ecb2417b82c4e4f7fb2f3e5cc24904c8cbb704")  // also what Python cryptography signs
        let parsed = try Metadata<Command>(bytes: signedMetadata.encoded())
        #expect(parsed.signed == blank())
    }

    @Test func aPlayerAcceptsEachCommandOnceInOrderBeforeItExpires() throws {
        let keys = try commandKeys(key)
        var gate = CommandGate(screen: "astana-1", lastSequence: 6)
        #expect(try gate.accept(try signed(blank()), keys: keys, now: now).action == .blank)
        #expect(gate.lastSequence == 7)
        #expect(throws: CommandGate.Refusal.replayed(sequence: 7, last: 7)) { try gate.accept(try signed(blank()), keys: keys, now: now) }
        #expect(throws: CommandGate.Refusal.replayed(sequence: 5, last: 7)) { try gate.accept(try signed(blank(sequence: 5)), keys: keys, now: now) }
        #expect(throws: CommandGate.Refusal.otherScreen("astana-2")) { try gate.accept(try signed(blank(sequence: 8, screen: "astana-2")), keys: keys, now: now) }
        #expect(throws: CommandGate.Refusal.expired(TUFTime(iso8601: "2026-11-29T11:59:59Z")!)) {
            try gate.accept(try signed(blank(sequence: 8, expires: "2026-11-29T11:59:59Z")), keys: keys, now: now)
        }
        // Signed by another key (the server's timestamp key, say), or by none.
        let other = try SigningKey.generate()
        #expect(throws: CommandGate.Refusal.self) { try gate.accept(try signed(blank(sequence: 8), with: [other]), keys: keys, now: now) }
        #expect(throws: CommandGate.Refusal.self) { try gate.accept(try signed(blank(sequence: 8), with: []), keys: keys, now: now) }
        #expect(gate.lastSequence == 7)  // refusals change nothing
        let restore = Command(action: .restore, screen: "astana-1", sequence: 8, id: 43, issuedBy: "ana", expires: now.adding(seconds: 60))
        #expect(try gate.accept(try signed(restore), keys: keys, now: now).action == .restore)
    }

    @Test func malformedCommandsAreRefusedWithTheField() throws {
        let keys = try commandKeys(key)
        var gate = CommandGate(screen: "astana-1")
        func refusal(_ edit: (inout JSONObject) -> Void) throws -> String {
            var object = blank().jsonObject()
            edit(&object)
            var metadata = Metadata(signed: blank())
            try metadata.sign(with: key)
            var envelope = metadata.jsonValue().objectValue!
            envelope["signed"] = .object(object)
            do {
                _ = try gate.accept(JSONWriter.compact.encode(.object(envelope)), keys: keys, now: now)
                return "accepted"
            } catch { return error.description }
        }
        #expect(try refusal { $0["action"] = "format-disk" }.contains(#"action "format-disk" is not one of blank"#))
        #expect(try refusal { $0["programme"] = "evil.json" }.contains("programme is not a command field"))
        #expect(try refusal { $0["level"] = 50 }.contains("level is required for brightness and only for brightness"))
        #expect(try refusal { $0["_type"] = "timestamp" }.contains("expected \"signet-command\""))
        #expect(throws: TUFError.self) { try CommandKeys(root: Root(expires: now)) }
    }
}
