import Testing

@testable import SignetCore

@Suite("RFC 6962 Merkle trees: roots and inclusion proofs")
struct MerkleTreeTests {
    /// The test leaves of Certificate Transparency's reference implementation.
    static let leaves: [[UInt8]] = [[], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
                                    Array(0x50...0x57), Array(0x60...0x6f)]
    /// Their roots for sizes 1 to 8 (the same as Python's hashlib computes from the RFC's definition).
    static let roots = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]

    /// MTH and PATH exactly as RFC 6962 section 2.1 writes them, recursively.
    static func rfcRoot(_ hashes: ArraySlice<[UInt8]>) -> [UInt8] {
        if hashes.isEmpty { return MerkleHash.empty }
        if hashes.count == 1 { return hashes.first! }
        let split = hashes.startIndex + largestPowerOfTwo(below: hashes.count)
        return MerkleHash.node(rfcRoot(hashes[..<split]), rfcRoot(hashes[split...]))
    }

    static func rfcPath(_ index: Int, _ hashes: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard hashes.count > 1 else { return [] }
        let k = largestPowerOfTwo(below: hashes.count), split = hashes.startIndex + k
        return index < k ? rfcPath(index, hashes[..<split]) + [rfcRoot(hashes[split...])]
                         : rfcPath(index - k, hashes[split...]) + [rfcRoot(hashes[..<split])]
    }

    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    @Test func rootsMatchTheReferenceVectors() {
        #expect(Hex.encode(MerkleTree(leafHashes: []).root) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for size in 1...8 {
            #expect(Hex.encode(MerkleTree(leafHashes: Self.leaves.prefix(size).map(MerkleHash.leaf)).root) == Self.roots[size - 1], "size \(size)")
        }
    }

    @Test func everyProofIsTheRFCsPathAndVerifies() {
        for size in 1...40 {
            let hashes = (0..<size).map { MerkleHash.leaf([UInt8(truncatingIfNeeded: $0), 0x5a]) }
            let tree = MerkleTree(leafHashes: hashes)
            #expect(tree.root == Self.rfcRoot(hashes[...]))
            for index in 0..<size {
                let proof = tree.inclusionProof(index: index)
                #expect(proof == Self.rfcPath(index, hashes[...]), "size \(size) index \(index)")
                #expect(MerkleTree.verifyInclusion(leafHash: hashes[index], index: Int64(index), size: Int64(size), proof: proof, root: tree.root))
                // The same proof says nothing for another leaf, place, size or root.
                if size > 1 {
                    #expect(!MerkleTree.verifyInclusion(leafHash: hashes[(index + 1) % size], index: Int64(index), size: Int64(size),
                                                        proof: proof, root: tree.root))
                    #expect(!MerkleTree.verifyInclusion(leafHash: hashes[index], index: Int64((index + 1) % size), size: Int64(size),
                                                        proof: proof, root: tree.root))
                }
                #expect(!MerkleTree.verifyInclusion(leafHash: hashes[index], index: Int64(index), size: Int64(size), proof: proof + [tree.root],
                                                    root: tree.root))
            }
        }
        #expect(!MerkleTree.verifyInclusion(leafHash: MerkleHash.empty, index: 0, size: 0, proof: [], root: MerkleHash.empty))
    }
}
