import Crypto

/// Merkle tree hashing as RFC 6962 defines it (RFC 9162 section 2.1): leaves and interior nodes
/// are hashed with different prefixes, so a leaf can never pose as a node.
public enum MerkleHash {
    public static func leaf(_ data: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: Array(data))
        return Array(hasher.finalize())
    }

    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The hash of the empty tree.
    public static let empty: [UInt8] = Array(SHA256.hash(data: [UInt8]()))
}

/// A whole tree in memory, level by level. Pairing each level's nodes left to right and carrying
/// a lone last node up unchanged gives exactly RFC 6962's tree (split at the largest power of two
/// below the size), so its root and proofs are the RFC's.
public struct MerkleTree: Sendable {
    /// `levels[0]` are the leaf hashes; the last level holds the root.
    public let levels: [[[UInt8]]]

    public init(leafHashes: [[UInt8]]) {
        var levels = [leafHashes]
        while let below = levels.last, below.count > 1 {
            var above: [[UInt8]] = []
            above.reserveCapacity((below.count + 1) / 2)
            var index = 0
            while index + 1 < below.count {
                above.append(MerkleHash.node(below[index], below[index + 1]))
                index += 2
            }
            if index < below.count { above.append(below[index]) }
            levels.append(above)
        }
        self.levels = levels
    }

    public var size: Int { levels[0].count }

    public var root: [UInt8] { levels.last?.first ?? MerkleHash.empty }

    /// The audit path of leaf `index`, nearest sibling first (RFC 9162 section 2.1.3.1).
    public func inclusionProof(index: Int) -> [[UInt8]] {
        precondition(index >= 0 && index < size, "leaf \(index) is not in a tree of \(size)")
        var proof: [[UInt8]] = []
        var position = index
        for level in levels.dropLast() {
            let sibling = position ^ 1
            if sibling < level.count { proof.append(level[sibling]) }
            position >>= 1
        }
        return proof
    }

    /// Whether `proof` shows that `leafHash` is leaf `index` of the tree of `size` leaves with
    /// `root`: the verification algorithm of RFC 9162 section 2.1.3.2, step by step.
    public static func verifyInclusion(leafHash: [UInt8], index: Int64, size: Int64, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index, sn = size - 1
        var hash = leafHash
        for sibling in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                hash = MerkleHash.node(sibling, hash)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                hash = MerkleHash.node(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && hash == root
    }
}
