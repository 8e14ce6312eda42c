import Foundation
import SignetCore
import Testing

@testable import SignetPlayer

@Suite("Commands change the player's state once, and the state survives a restart")
struct ControlStateTests {
    let key = try! SigningKey.generate()
    let now = TUFTime(iso8601: "2026-11-29T12:00:00Z")!

    var keys: CommandKeys {
        var root = Root(expires: now.adding(seconds: 86_400))
        root.unrecognized["x-signet"] = .object(["commands": .object([
            "keyids": .array([.string(key.keyID)]), "threshold": 1, "keys": .object([key.keyID: .object(key.publicKey.json)]),
        ])])
        return try! CommandKeys(root: root)
    }

    func command(_ action: Command.Action, _ sequence: Int64, level: Int64? = nil) throws -> [UInt8] {
        try SignedCommandBatch([Command(action: action, screen: "astana-1", sequence: sequence, id: sequence, issuedBy: "ana",
                                        expires: now.adding(seconds: 60), level: level)], key: key).document(at: 0)
    }

    @Test func blankSurvivesARestartAndAReplayIsStillRefused() throws {
        let path = NSTemporaryDirectory() + "signet-control-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = ControlStore(path: path)
        #expect(try store.load() == ControlState())
        func carriedOut(_ bytes: [UInt8], _ store: ControlStore) throws -> ControlState {
            guard case .carriedOut(_, let state) = try store.receive(bytes, screen: "astana-1", keys: keys, now: now) else {
                throw PlayerError("not carried out")
            }
            return state
        }
        let blank = try command(.blank, 1)
        let state = try carriedOut(blank, store)
        #expect(state.mode == .blank && state.lastSequence == 1 && state.lastCommandID == 1)
        // A new process reads the same state. The same command again (its acknowledgement was
        // lost) is acknowledged as done and done nothing more; another with that number is refused.
        let restarted = ControlStore(path: path)
        #expect(try restarted.load().mode == .blank)
        let again = try restarted.receive(blank, screen: "astana-1", keys: keys, now: now)
        #expect(again == .alreadyDone(try #require(try BatchedCommand(json: JSONParser().parse(blank)).command)))
        let impostor = try SignedCommandBatch([Command(action: .restore, screen: "astana-1", sequence: 1, id: 99, issuedBy: "ana",
                                                       expires: now.adding(seconds: 60))], key: key).document(at: 0)
        #expect(throws: CommandGate.Refusal.replayed(sequence: 1, last: 1)) { try restarted.receive(impostor, screen: "astana-1", keys: keys, now: now) }
        let dimmed = try carriedOut(try command(.brightness, 2, level: 40), restarted)
        #expect(dimmed.brightness == 40 && dimmed.mode == .blank)
        // Once a later command is carried out, the earlier one is a replay, refused (and reported).
        #expect(throws: CommandGate.Refusal.replayed(sequence: 1, last: 2)) { try restarted.receive(blank, screen: "astana-1", keys: keys, now: now) }
        let restored = try carriedOut(try command(.restore, 3), restarted)
        #expect(restored.mode == .programme && restored.lastSequence == 3)
        _ = try carriedOut(try command(.lockdown, 4), restarted)
        #expect(try restarted.load().lockdown)
        // A damaged state file is an error, never a silent reset of the sequence.
        try Data("{\"mode\": \"blank\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: PlayerError.self) { try restarted.load() }
    }
}
