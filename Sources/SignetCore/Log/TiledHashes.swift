/// An RFC 6962 tree read through its tlog tiles' hashes (c2sp.org/tlog-tiles): level L holds the
/// hashes of the complete subtrees of 256^L leaves (level 0: the leaf hashes). Any other hash,
/// the root, and inclusion and consistency proofs are computed from at most a few tiles.
public struct TiledHashes {
    public let size: Int64
    /// Stored hashes of one level, `indices` in order; must throw if any is missing.
    let read: (_ level: Int, _ indices: Range<Int64>) throws -> [[UInt8]]

    public init(size: Int64, read: @escaping (_ level: Int, _ indices: Range<Int64>) throws -> [[UInt8]]) {
        self.size = size
        self.read = read
    }

    public static let tileHeight = 8

    /// The hash of the complete subtree of `2^height` leaves from `index * 2^height`.
    public func subtree(height: Int, index: Int64) throws -> [UInt8] {
        let level = height / Self.tileHeight, rest = height % Self.tileHeight
        let count = Int64(1) << Int64(rest)
        var hashes = try read(level, (index * count)..<(index * count + count))
        guard hashes.count == count else { throw LogFormatError("log: \(hashes.count) hashes at level \(level), expected \(count)") }
        while hashes.count > 1 { hashes = stride(from: 0, to: hashes.count, by: 2).map { MerkleHash.node(hashes[$0], hashes[$0 + 1]) } }
        return hashes[0]
    }

    /// The Merkle tree hash of leaves start..<end (RFC 6962's split into power-of-two ranges).
    public func hash(from start: Int64, to end: Int64) throws -> [UInt8] {
        precondition(0 <= start && start < end && end <= size, "leaves \(start)..<\(end) are not in a tree of \(size)")
        let count = end - start
        if count & (count - 1) == 0, start % count == 0 { return try subtree(height: count.trailingZeroBitCount, index: start / count) }
        let split = start + Int64(ConsistencyProof.largestPowerOfTwo(below: Int(count)))
        return MerkleHash.node(try hash(from: start, to: split), try hash(from: split, to: end))
    }

    public func root() throws -> [UInt8] {
        try MerkleFrontier(size: size, subtree: subtree).root
    }

    /// The audit path of leaf `index` (RFC 9162 2.1.3.1), nearest sibling first.
    public func inclusionProof(index: Int64) throws -> [[UInt8]] {
        guard index >= 0, index < size else { throw LogFormatError("log: no entry \(index) in a tree of \(size)") }
        var proof: [[UInt8]] = []
        var (start, end) = (Int64(0), size)
        while end - start > 1 {
            let split = start + Int64(ConsistencyProof.largestPowerOfTwo(below: Int(end - start)))
            if index < split {
                proof.append(try hash(from: split, to: end))
                end = split
            } else {
                proof.append(try hash(from: start, to: split))
                start = split
            }
        }
        return proof.reversed()
    }

    /// The proof that the tree of `first` leaves is a prefix of this one (RFC 9162 2.1.4.1).
    public func consistencyProof(from first: Int64) throws -> [[UInt8]] {
        guard first > 0, first <= size else { throw LogFormatError("log: no consistency proof from \(first) to \(size)") }
        return try ConsistencyProof.make(first: Int(first), second: Int(size)) { try hash(from: Int64($0), to: Int64($1)) }
    }
}
