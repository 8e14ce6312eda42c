/// The right edge of an append-only RFC 6962 tree: the roots of its complete subtrees, largest
/// first (one for each bit set in the size). Appending a leaf costs one hash on average, the root
/// at any size is at most 63 more, and every complete subtree is seen once as it completes, which
/// is how a log learns its tile hashes without reading anything back.
public struct MerkleFrontier: Sendable, Equatable {
    /// A complete subtree: `2^height` leaves from `index * 2^height`.
    public struct Node: Sendable, Equatable {
        public let height: Int
        public let index: Int64
        public let hash: [UInt8]
    }

    public private(set) var size: Int64 = 0
    public private(set) var nodes: [Node] = []

    public init() {}

    /// The frontier of a tree of `size` leaves, given the hash of any complete subtree.
    public init(size: Int64, subtree: (_ height: Int, _ index: Int64) throws -> [UInt8]) rethrows {
        self.size = size
        var start: Int64 = 0
        for height in stride(from: 62, through: 0, by: -1) where size & (1 << Int64(height)) != 0 {
            nodes.append(Node(height: height, index: start >> Int64(height), hash: try subtree(height, start >> Int64(height))))
            start += 1 << Int64(height)
        }
    }

    /// Appends one leaf hash; returns the subtrees it completed, from the leaf up.
    @discardableResult
    public mutating func append(leafHash: [UInt8]) -> [Node] {
        var carried = Node(height: 0, index: size, hash: leafHash)
        var completed = [carried]
        while let last = nodes.last, last.height == carried.height {
            nodes.removeLast()
            carried = Node(height: carried.height + 1, index: last.index >> 1, hash: MerkleHash.node(last.hash, carried.hash))
            completed.append(carried)
        }
        nodes.append(carried)
        size += 1
        return completed
    }

    /// The tree's root: the complete subtrees combined from the right, as RFC 6962 splits.
    public var root: [UInt8] {
        guard var hash = nodes.last?.hash else { return MerkleHash.empty }
        for node in nodes.dropLast().reversed() { hash = MerkleHash.node(node.hash, hash) }
        return hash
    }
}
