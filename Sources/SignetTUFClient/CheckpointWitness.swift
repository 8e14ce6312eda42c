import Foundation
import SignetCore

/// A witness's memory of a transparency log: the newest checkpoint it accepted, kept in one file.
/// A newer checkpoint replaces it only when `LogWitness` accepts it (with a consistency proof from
/// the one held); on a fork or a rollback the file keeps the history this witness saw.
public struct CheckpointWitness: Sendable {
    public struct Outcome: Sendable {
        public let verdict: LogWitness.Verdict
        public let held: Checkpoint?
        public let offered: Checkpoint
    }

    public let path: String

    public init(path: String) { self.path = path }

    /// Judges the signed note `note` (checked with `key`) against the checkpoint held, fetching a
    /// consistency proof from the held size to the offered one when there is something to prove.
    public func witness(_ note: String, key: NoteKey, proof: (_ from: Int64, _ to: Int64) async throws -> [[UInt8]]) async throws -> Outcome {
        var held: Checkpoint?
        if let bytes = try AtomicFile.read(path, maxBytes: 64 << 10) {
            do { held = try Checkpoint(note: String(decoding: bytes, as: UTF8.self), verifiedBy: key) } catch {
                throw TUFError(.storage, "\(path) is not a checkpoint signed by \(key.name)'s key: \(error.description)")
            }
        }
        let offered: Checkpoint
        do { offered = try Checkpoint(note: note, verifiedBy: key) } catch {
            throw TUFError(.threshold, "the log's checkpoint is not signed by \(key.name)'s key: \(error.description)")
        }
        var hashes: [[UInt8]] = []
        if let held, held.size > 0, offered.size > held.size { hashes = try await proof(held.size, offered.size) }
        let verdict = LogWitness.judge(held: held, offered: offered, proof: hashes)
        switch verdict {
        case .first, .extended: try AtomicFile.write(Array(note.utf8), to: path)
        case .unchanged, .fork, .rollback: break
        }
        return Outcome(verdict: verdict, held: held, offered: offered)
    }

    /// The hashes of a consistency proof as the log serves it: `{"proof": [base64 of 32 bytes, ...]}`.
    public static func proof(json body: [UInt8]) throws(TUFError) -> [[UInt8]] {
        guard let hashes = (try? JSONParser(maxBytes: 64 << 10).parse(body))?.objectValue?["proof"]?.arrayValue else {
            throw TUFError(.malformed, "a consistency proof: {\"proof\": [...]}")
        }
        var proof: [[UInt8]] = []
        for value in hashes {
            guard let text = value.stringValue, let hash = Data(base64Encoded: text), hash.count == 32 else {
                throw TUFError(.malformed, "a consistency proof of 32-byte hashes in base64")
            }
            proof.append(Array(hash))
        }
        return proof
    }
}
