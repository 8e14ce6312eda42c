import Foundation
import Testing

@testable import SignetCore

@Suite("Transparency log formats: consistency proofs, signed notes, checkpoints, tile paths")
struct LogFormatTests {
    let key = try! KeyTests.rfc8032Key()

    @Test func consistencyProofsVerifyForEveryPairAndOnlyForIt() {
        let hashes = (0..<40).map { MerkleHash.leaf([UInt8(truncatingIfNeeded: $0), 0xc3]) }
        let trees = (1...40).map { MerkleTree(leafHashes: Array(hashes.prefix($0))) }
        for second in 1...40 {
            let tree = trees[second - 1]
            for first in 1...second {
                let proof = tree.consistencyProof(from: first)
                let firstRoot = trees[first - 1].root
                #expect(ConsistencyProof.verify(first: Int64(first), second: Int64(second), firstRoot: firstRoot, secondRoot: tree.root,
                                                proof: proof), "\(first) to \(second)")
                guard first < second else { continue }
                // A different old root (a rewritten history), a different new root, a cut proof: refused.
                #expect(!ConsistencyProof.verify(first: Int64(first), second: Int64(second), firstRoot: MerkleHash.leaf([0xff]),
                                                 secondRoot: tree.root, proof: proof))
                #expect(!ConsistencyProof.verify(first: Int64(first), second: Int64(second), firstRoot: firstRoot,
                                                 secondRoot: trees[second - 2].root == tree.root ? MerkleHash.empty : trees[second - 2].root, proof: proof))
                #expect(!ConsistencyProof.verify(first: Int64(first), second: Int64(second), firstRoot: firstRoot, secondRoot: tree.root,
                                                 proof: Array(proof.dropLast())))
            }
        }
        // A forked log: the same first leaves with one changed have no consistent proof to the new tree.
        var forked = hashes
        forked[3] = MerkleHash.leaf([0x00])
        let fork = MerkleTree(leafHashes: Array(forked.prefix(10)))
        #expect(!ConsistencyProof.verify(first: 6, second: 10, firstRoot: trees[5].root, secondRoot: fork.root, proof: fork.consistencyProof(from: 6)))
    }

    @Test func aSignedNoteIsWhatGoAndPythonMake() throws {
        let logKey = try NoteKey(name: "signet.example/log", signingKey: key)
        // Key hash, verifier key and signature as Python's hashlib and cryptography compute them.
        #expect(logKey.verifierKey == "signet.example/log+26465d77+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea")
        let checkpoint = Checkpoint(origin: "signet.example/log", size: 0, root: MerkleHash.empty)
        let note = try checkpoint.signed(with: logKey)
        #expect(note.encoded == "signet.example/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\u{2014} signet.example/log JkZdd1wOfN6q9PEGyDC4CvAxqlAL5syhh+s3SsFEANQBK0VeNplWvNkps6khMqqZglR6vN6ymA0f7myceiil4eXmxQI=\n")
        let verifier = try NoteKey(verifierKey: logKey.verifierKey)
        #expect(try Checkpoint(note: note.encoded, verifiedBy: verifier) == checkpoint)
    }

    @Test func forgedOrDamagedCheckpointsAreRefused() throws {
        let logKey = try NoteKey(name: "signet.example/log", signingKey: key)
        let other = try NoteKey(name: "signet.example/log", signingKey: try SigningKey.generate())
        let checkpoint = Checkpoint(origin: "signet.example/log", size: 7, root: MerkleHash.leaf([1]), extensions: ["time 1732665600"])
        let note = try checkpoint.signed(with: logKey).encoded
        #expect(try Checkpoint(note: note, verifiedBy: logKey).extensions == ["time 1732665600"])
        // Another key of the same name, an edited size, a witness signature added: the log's own is what counts.
        #expect(throws: LogFormatError("note: not signed by signet.example/log")) { try Checkpoint(note: note, verifiedBy: other) }
        #expect(throws: LogFormatError("note: the signature of signet.example/log does not verify")) {
            try Checkpoint(note: note.replacingFirst("\n7\n", with: "\n8\n"), verifiedBy: logKey)
        }
        let witness = try NoteKey(name: "witness.example", signingKey: try SigningKey.generate())
        let cosigned = note + "\u{2014} witness.example " + String(try SignedNote.sign(checkpoint.text, with: witness).encoded.split(separator: " ").last!)
        #expect(try Checkpoint(note: cosigned, verifiedBy: logKey) == checkpoint)
        for bad in ["", "signet.example/log\n7\n", note.replacingFirst("\u{2014}", with: "-"), note.replacingFirst("\n7\n", with: "\n07\n"),
                    "signet.example/log\n7\nAAAA\n\n\u{2014} signet.example/log AAAAAAAA\n"] {
            #expect(throws: LogFormatError.self) { try Checkpoint(note: bad, verifiedBy: logKey) }
        }
        #expect(throws: LogFormatError.self) { try NoteKey(verifierKey: logKey.verifierKey.replacingFirst("+26465d77+", with: "+26465d78+")) }
        #expect(throws: LogFormatError.self) { try NoteKey(name: "has space", signingKey: key) }
    }

    @Test func tilePathsAreTheC2SPOnes() {
        #expect(TilePath.hashes(level: 0, index: 1_234_067) == "tile/0/x001/x234/067")
        #expect(TilePath.hashes(level: 0, index: 273, width: 112) == "tile/0/273.p/112")
        #expect(TilePath.hashes(level: 2, index: 0, width: 1) == "tile/2/000.p/1")
        #expect(TilePath.entries(index: 1000) == "tile/entries/x001/000")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
