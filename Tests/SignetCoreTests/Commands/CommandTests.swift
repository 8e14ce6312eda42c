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

    /// The command as a screen receives it: in a batch of its own, signed by `keys` (the commands key by default).
    func signed(_ command: Command, with keys: [SigningKey]? = nil) throws -> [UInt8] {
        let signers = keys ?? [key]
        var document = try JSONParser().parse(try SignedCommandBatch([command], key: signers.first ?? key).document(at: 0)).objectValue!
        var batch = try Metadata<CommandBatch>(json: document["batch"]!)
        batch.signatures = []
        for signer in signers { try batch.sign(with: signer) }
        document["batch"] = batch.jsonValue()
        return JSONWriter.compact.encode(.object(document))
    }

    func blank(sequence: Int64 = 7, screen: String = "astana-1", expires: String = "2026-11-29T12:01:00Z") -> Command {
        Command(action: .blank, screen: screen, sequence: sequence, id: 42, issuedBy: "ana", expires: TUFTime(iso8601: expires)!)
    }

    @Test func theSignedFormIsCanonicalAndItsSignatureFixed() throws {
        #expect(String(decoding: CanonicalJSON.encode(.object(blank().jsonObject())), as: UTF8.self) == #"{"_type":"signet-command","action":"blank","expires":"2026-11-29T12:01:00Z","id":42,"issued_by":"ana","screen":"astana-1","spec_version":"1.0.31","version":7}"#)
        let batch = try SignedCommandBatch([blank(), blank(sequence: 3, screen: "astana-2")], key: key)
        let document = try #require(try JSONParser().parse(batch.document(at: 1)).objectValue)
        let metadata = try Metadata<CommandBatch>(json: try #require(document["batch"]))
        #expect(String(decoding: metadata.canonicalSigned, as: UTF8.self) == #"{"_type":"signet-command-batch","expires":"2026-11-29T12:01:00Z","root":"66cd13a64ae1e05fbf7a32ace54216d8ff15937978a87c45ba39ae1366d06d29","size":2,"spec_version":"1.0.31","version":1}"#)
        #expect(metadata.signatures.first?.keyID == key.keyID)
        #expect(metadata.signatures.first?.signature == "e00079791bc8b4405e96db063154f9cffd5934f38612bd91f0d54523f16d53ca6e65036a6d3c663c4cd43c4f2605ecacc2165608b1d2b6c544e88884ffeed200")  // root and signature: what Python hashlib and cryptography compute
        #expect(document["index"] == 1 && document["proof"]?.arrayValue?.count == 1)
        let parsed = try BatchedCommand(json: .object(document))
        #expect(parsed.command == blank(sequence: 3, screen: "astana-2"))
        try parsed.verify(keys: try commandKeys(key))
    }

    @Test func eachScreenGetsItsOwnProofAndNoOther() throws {
        let keys = try commandKeys(key)
        let commands = (1...5).map { blank(sequence: Int64($0), screen: "astana-\($0)") }
        let batch = try SignedCommandBatch(commands, key: key)
        for index in 0..<5 {
            var gate = CommandGate(screen: "astana-\(index + 1)")
            #expect(try gate.accept(batch.document(at: index), keys: keys, now: now).screen == "astana-\(index + 1)")
        }
        func edited(_ index: Int, _ edit: (inout JSONObject) -> Void) throws -> [UInt8] {
            var document = try JSONParser().parse(batch.document(at: index)).objectValue!
            edit(&document)
            return JSONWriter.compact.encode(.object(document))
        }
        let other = try JSONParser().parse(batch.document(at: 2)).objectValue!
        var gate = CommandGate(screen: "astana-2")
        // Another screen's proof or place, a changed command, a cut proof: not in the signed batch.
        for tampered in [try edited(1) { $0["proof"] = other["proof"] }, try edited(1) { $0["index"] = 2 },
                         try edited(1) { var command = $0["signed"]!.objectValue!; command["action"] = "restore"; $0["signed"] = .object(command) }, try edited(1) { $0["proof"] = .array([]) }] {
            #expect(throws: CommandGate.Refusal.unsigned("the command is not in the signed batch (its inclusion proof fails)")) {
                try gate.accept(tampered, keys: keys, now: now)
            }
        }
        #expect(gate.lastSequence == 0)
        // A batch signed by another key is refused, even once the real one was verified and remembered.
        let verified = VerifiedBatches()
        #expect(try gate.accept(batch.document(at: 1), keys: keys, now: now, verified: verified).sequence == 2)
        let forged = try SignedCommandBatch(commands.map { var command = $0; command.header.version += 10; return command }, key: try SigningKey.generate())
        #expect(throws: CommandGate.Refusal.self) { try gate.accept(forged.document(at: 1), keys: keys, now: now, verified: verified) }
        var stolenRoot = try JSONParser().parse(forged.document(at: 1)).objectValue!
        stolenRoot["batch"] = other["batch"]
        #expect(throws: CommandGate.Refusal.unsigned("the command is not in the signed batch (its inclusion proof fails)")) {
            try gate.accept(JSONWriter.compact.encode(.object(stolenRoot)), keys: keys, now: now, verified: verified)
        }
        #expect(gate.lastSequence == 2)
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
            var envelope = try JSONParser().parse(try signed(blank())).objectValue!
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
