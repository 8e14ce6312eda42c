import Foundation
import Testing

@testable import SignetCore

@Suite("A log as tiles: the frontier, hashes and proofs read from tiles, tile paths, entry bundles")
struct TiledLogTests {
    static func leafHashes(_ count: Int) -> [[UInt8]] {
        (0..<count).map { MerkleHash.leaf(Array("entry \($0)".utf8)) }
    }

    /// The tiles of a tree held in memory: level L holds only its complete subtrees of 256^L leaves.
    static func tiles(_ tree: MerkleTree) -> TiledHashes {
        TiledHashes(size: Int64(tree.size)) { level, indices in
            let height = level * TiledHashes.tileHeight
            let complete = Int64(tree.size) >> Int64(height)
            guard indices.upperBound <= complete else { throw LogFormatError("no hashes \(indices) at level \(level)") }
            return indices.map { tree.levels[height][Int($0)] }
        }
    }

    @Test func theFrontierGivesTheTreesRootAtEverySizeAndEachSubtreeOnceAsItCompletes() {
        let hashes = Self.leafHashes(600)
        var frontier = MerkleFrontier()
        #expect(frontier.root == MerkleHash.empty)
        var completed: [MerkleFrontier.Node] = []
        for (index, hash) in hashes.enumerated() {
            completed += frontier.append(leafHash: hash)
            #expect(frontier.root == MerkleTree(leafHashes: Array(hashes.prefix(index + 1))).root, "size \(index + 1)")
        }
        let tree = MerkleTree(leafHashes: hashes)
        // Every complete subtree of the 600 leaves, each once: 600 + 300 + 150 + 75 + 37 + 18 + 9 + 4 + 2 + 1.
        #expect(completed.count == 1196)
        for node in completed { #expect(tree.levels[node.height][Int(node.index)] == node.hash) }
        // Made again from stored subtrees, it carries on as if it had never stopped.
        var resumed = MerkleFrontier(size: 333) { height, index in tree.levels[height][Int(index)] }
        #expect(resumed.root == MerkleTree(leafHashes: Array(hashes.prefix(333))).root)
        for hash in hashes[333...] { resumed.append(leafHash: hash) }
        #expect(resumed == frontier)
    }

    @Test func rootsAndProofsFromTilesAreTheTreesOwnAcrossThreeLevels() throws {
        let tree = MerkleTree(leafHashes: Self.leafHashes(65_536 + 300))
        let tiles = Self.tiles(tree)
        #expect(try tiles.root() == tree.root)
        for index in [0, 1, 255, 256, 4_097, 65_535, 65_536, 65_835] {
            let proof = try tiles.inclusionProof(index: Int64(index))
            #expect(proof == tree.inclusionProof(index: index), "leaf \(index)")
            #expect(MerkleTree.verifyInclusion(leafHash: tree.levels[0][index], index: Int64(index), size: Int64(tree.size), proof: proof, root: tree.root))
        }
        for first in [1, 7, 256, 1_000, 65_536, 65_800, 65_836] {
            #expect(try tiles.consistencyProof(from: Int64(first)) == tree.consistencyProof(from: first), "from \(first)")
        }
        // A smaller tree read through the same tiles (a partial tile is a prefix of the full one).
        let older = MerkleTree(leafHashes: Array(tree.levels[0].prefix(65_700)))
        #expect(try TiledHashes(size: Int64(older.size), read: tiles.read).root() == older.root)
        // A tile that lacks a hash is an error, not a wrong answer.
        let gappy = TiledHashes(size: 600) { _, _ in [] }
        #expect(throws: LogFormatError.self) { try gappy.root() }
    }

    @Test func tilePathsReadBackAndOnlyInTheirOneSpelling() throws {
        #expect(try TilePath.parse("tile/0/x001/x234/067") == .hashes(level: 0, index: 1_234_067, width: 256))
        #expect(try TilePath.parse("tile/2/000.p/1") == .hashes(level: 2, index: 0, width: 1))
        #expect(try TilePath.parse("tile/entries/x001/234.p/17") == .entries(index: 1_234, width: 17))
        #expect(try TilePath.parse(TilePath.hashes(level: 1, index: 273, width: 112)) == .hashes(level: 1, index: 273, width: 112))
        for bad in ["tile/0/67", "tile/0/x000/067", "tile/0/001/234", "tile/00/000", "tile/64/000", "tile/0/000.p/256", "tile/0/000.p/0",
                    "tile/0/000.p/+5", "tile/0/000.p/", "tile/0/000/", "tiles/0/000", "tile/entries", "tile/-1/000", "tile/0/x1000/000",
                    "tile/0/x999/x999/x999/x999/x999/x999/x999/000", "tile/0/٠٠١", "tile/0/000.p/5/6"] {
            #expect(throws: LogFormatError.self, "\(bad)") { try TilePath.parse(bad) }
        }
    }

    @Test func entryBundlesCarryEachEntryAfterItsLength() throws {
        let entries = [Array("{\"a\":1}".utf8), [], [UInt8](repeating: 7, count: 300)]
        let bundle = EntryBundle.encode(entries)
        #expect(Array(bundle.prefix(9)) == [0, 7] + Array("{\"a\":1}".utf8))
        #expect(try EntryBundle.decode(bundle) == entries)
        #expect(throws: LogFormatError.self) { try EntryBundle.decode(Array(bundle.dropLast())) }
        #expect(throws: LogFormatError.self) { try EntryBundle.decode([0]) }
        #expect(throws: LogFormatError.self) { try EntryBundle.decode(EntryBundle.encode(Array(repeating: [1], count: 257))) }
    }
}
