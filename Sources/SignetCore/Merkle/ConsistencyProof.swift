/// Consistency proofs between two sizes of one append-only tree (RFC 9162 section 2.1.4): that the
/// tree of `first` leaves is a prefix of the tree of `second` leaves, so nothing logged before was
/// changed, dropped or reordered.
public enum ConsistencyProof {
    /// The proof from `first` to `second` leaves (RFC 9162 2.1.4.1, SUBPROOF), given the hash of
    /// any range of leaves (`subtree(start, end)`: the Merkle tree hash of leaves start..<end).
    public static func make(first: Int, second: Int, subtree: (Int, Int) throws -> [UInt8]) rethrows -> [[UInt8]] {
        precondition(0 < first && first <= second, "a consistency proof needs 0 < first <= second")
        return try subproof(first, 0, second, complete: true, subtree: subtree)
    }

    static func subproof(_ m: Int, _ start: Int, _ end: Int, complete: Bool, subtree: (Int, Int) throws -> [UInt8]) rethrows -> [[UInt8]] {
        let n = end - start
        if m == n { return complete ? [] : [try subtree(start, end)] }
        let k = largestPowerOfTwo(below: n)
        if m <= k {
            return try subproof(m, start, start + k, complete: complete, subtree: subtree) + [try subtree(start + k, end)]
        }
        return try subproof(m - k, start + k, end, complete: false, subtree: subtree) + [try subtree(start, start + k)]
    }

    /// The largest power of two smaller than `n` (n > 1).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// Whether `proof` shows the tree of `first` leaves with root `firstRoot` is a prefix of the
    /// tree of `second` leaves with root `secondRoot`: RFC 9162 section 2.1.4.2, step by step.
    public static func verify(first: Int64, second: Int64, firstRoot: [UInt8], secondRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard first >= 0, first <= second else { return false }
        if first == 0 { return proof.isEmpty }
        if first == second { return proof.isEmpty && firstRoot == secondRoot }
        var path = proof
        if first & (first - 1) == 0 { path.insert(firstRoot, at: 0) }
        guard let seed = path.first else { return false }
        var fn = first - 1, sn = second - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = seed, sr = seed
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }
}

extension MerkleTree {
    /// The Merkle tree hash of leaves start..<end, from the levels held in memory.
    public func hash(from start: Int, to end: Int) -> [UInt8] {
        precondition(0 <= start && start < end && end <= size, "leaves \(start)..<\(end) are not in a tree of \(size)")
        // A range aligned on its own power-of-two size is one stored node; any other splits as RFC 6962 does.
        let count = end - start
        if count & (count - 1) == 0, start % count == 0 {
            let level = count.trailingZeroBitCount
            return levels[level][start >> level]
        }
        let split = start + ConsistencyProof.largestPowerOfTwo(below: count)
        return MerkleHash.node(hash(from: start, to: split), hash(from: split, to: end))
    }

    /// The proof that the first `first` leaves of this tree are consistent with all of it.
    public func consistencyProof(from first: Int) -> [[UInt8]] {
        ConsistencyProof.make(first: first, second: size) { hash(from: $0, to: $1) }
    }
}
