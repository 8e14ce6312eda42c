import Testing

@testable import SignetCore

@Suite("A witness accepts a newer checkpoint only if it extends the one it holds")
struct LogWitnessTests {
    static let hashes = (0..<50).map { MerkleHash.leaf([UInt8($0)]) }

    static func checkpoint(_ size: Int, of leaves: [[UInt8]] = hashes, origin: String = "w.example/log") -> Checkpoint {
        Checkpoint(origin: origin, size: Int64(size), root: MerkleTree(leafHashes: Array(leaves.prefix(size))).root)
    }

    @Test func anExtensionWithItsProofIsAcceptedAndNothingElse() {
        let held = Self.checkpoint(20), tree = MerkleTree(leafHashes: Array(Self.hashes.prefix(37)))
        #expect(LogWitness.judge(held: nil, offered: held, proof: []) == .first)
        #expect(LogWitness.judge(held: held, offered: held, proof: []) == .unchanged)
        #expect(LogWitness.judge(held: held, offered: Self.checkpoint(37), proof: tree.consistencyProof(from: 20)) == .extended)
        #expect(LogWitness.judge(held: Self.checkpoint(0), offered: Self.checkpoint(37), proof: []) == .extended)

        // A rollback, a forked tree of the same size, a longer tree that rewrote entry 3, a bad proof, another log.
        #expect(!LogWitness.judge(held: held, offered: Self.checkpoint(19), proof: []).accepts)
        var forked = Self.hashes
        forked[3] = MerkleHash.leaf([0xff])
        #expect(LogWitness.judge(held: held, offered: Self.checkpoint(20, of: forked), proof: []) == .fork("two different trees of 20 entries"))
        let forkedTree = MerkleTree(leafHashes: Array(forked.prefix(37)))
        #expect(!LogWitness.judge(held: held, offered: Self.checkpoint(37, of: forked), proof: forkedTree.consistencyProof(from: 20)).accepts)
        #expect(!LogWitness.judge(held: held, offered: Self.checkpoint(37), proof: Array(tree.consistencyProof(from: 20).dropLast())).accepts)
        #expect(!LogWitness.judge(held: held, offered: Self.checkpoint(37, origin: "other.example/log"), proof: tree.consistencyProof(from: 20)).accepts)
    }
}
