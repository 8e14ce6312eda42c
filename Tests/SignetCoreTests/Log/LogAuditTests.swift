import Foundation
import Testing

@testable import SignetCore

@Suite("Auditing a log: every entry, its hash, its tile, an older checkpoint and the signed root")
struct LogAuditTests {
    static let origin = "audit.example/log"

    static func event(_ n: Int) -> [UInt8] {
        LoggedEvent(at: Instant(millisecondsSince1970: 1_764_000_000_000 + Int64(n)), actor: "ana", action: "screen.create",
                    subject: "s-\(n)", address: "10.0.0.1", detail: ["n": .integer(Int64(n))]).entry
    }

    /// A log of `count` entries: the entries, their leaf hashes, the level-1 tile hashes, the tree.
    struct Log {
        var entries: [[UInt8]]
        var leaves: [[UInt8]]
        var tree: MerkleTree

        init(count: Int) {
            entries = (0..<count).map(LogAuditTests.event)
            leaves = entries.map { MerkleHash.leaf($0) }
            tree = MerkleTree(leafHashes: leaves)
        }

        func checkpoint(_ size: Int? = nil) -> Checkpoint {
            let size = size ?? entries.count
            return Checkpoint(origin: LogAuditTests.origin, size: Int64(size), root: MerkleTree(leafHashes: Array(leaves.prefix(size))).root)
        }

        /// Audits entries from `start` (after a trusted checkpoint there, if any) with what this
        /// log serves; the tile hashes are the honest tree's unless given.
        func audit(against checkpoint: Checkpoint, trusted: Checkpoint? = nil, tileHashes: [[UInt8]]? = nil) throws(LogAuditFailure) {
            let start = Int(trusted?.size ?? 0)
            let honest = MerkleTree(leafHashes: leaves)
            let frontier = MerkleFrontier(size: Int64(start)) { height, index in honest.levels[height][Int(index)] }
            var audit = try LogAudit(checkpoint: checkpoint, trusted: trusted, frontier: frontier)
            let tiles = tileHashes ?? (honest.levels.count > 8 ? Array(honest.levels[8].prefix(entries.count / 256)) : [])
            for index in start..<Int(checkpoint.size) {
                let completes = (index + 1) % 256 == 0 ? tiles[index / 256] : nil
                try audit.add(entry: entries[index], servedLeafHash: leaves[index], tileHash: completes)
            }
            try audit.finish()
        }
    }

    @Test func anHonestLogVerifiesWholeAndSinceAnOlderCheckpoint() throws {
        let log = Log(count: 600)
        try log.audit(against: log.checkpoint())
        try log.audit(against: log.checkpoint(), trusted: log.checkpoint(300))
        try log.audit(against: log.checkpoint(), trusted: log.checkpoint(600))
    }

    @Test func aChangedEntryIsNamed() throws {
        var log = Log(count: 600)
        log.entries[417] = Self.event(9_999)
        #expect(throws: LogAuditFailure(entry: 417, "its bytes do not make the log's hash for it (changed, or moved here from elsewhere)")) {
            try log.audit(against: log.checkpoint())
        }
    }

    @Test func reorderedEntriesNameTheFirstMoved() throws {
        var log = Log(count: 600)
        log.entries.swapAt(12, 40)
        #expect(throws: LogAuditFailure.self) { try log.audit(against: log.checkpoint()) }
        do { try log.audit(against: log.checkpoint()) } catch { #expect(error.entry == 12) }
    }

    @Test func anEntryChangedWithItsHashIsFoundByItsTile() throws {
        var log = Log(count: 600)
        let tiles = Array(log.tree.levels[8].prefix(2))
        log.entries[300] = Self.event(9_999)
        log.leaves[300] = MerkleHash.leaf(log.entries[300])
        do { try log.audit(against: log.checkpoint(), tileHashes: tiles); Issue.record("accepted") } catch { #expect(error.entry == 256) }
    }

    @Test func aHistoryRewrittenAndSignedAgainFailsAgainstAnOlderCheckpoint() throws {
        let honest = Log(count: 600)
        let older = honest.checkpoint(500)
        // The whole log rewritten from entry 100 (hashes, tiles and a new checkpoint with the server's key).
        var rewritten = Log(count: 600)
        rewritten.entries.remove(at: 100)
        rewritten.entries.append(Self.event(7_777))
        rewritten = Log(rebuilding: rewritten.entries)
        try rewritten.audit(against: rewritten.checkpoint())  // alone, it looks whole
        #expect(throws: LogAuditFailure(entry: nil, "the log's first 500 entries are not those of your checkpoint: its history was rewritten")) {
            try LogAudit(checkpoint: rewritten.checkpoint(), trusted: older,
                         frontier: MerkleFrontier(size: 500) { height, index in rewritten.tree.levels[height][Int(index)] })
        }
        var audit = try LogAudit(checkpoint: rewritten.checkpoint(), trusted: older)
        #expect(throws: LogAuditFailure(entry: nil, "the log's first 500 entries are not those of your checkpoint: its history was rewritten")) {
            for index in 0..<600 { try audit.add(entry: rewritten.entries[index], servedLeafHash: rewritten.leaves[index]) }
        }
        // A log cut back below the checkpoint someone kept is a rollback.
        #expect(throws: LogAuditFailure.self) { try LogAudit(checkpoint: honest.checkpoint(400), trusted: older) }
    }

    @Test func entriesMissingAtTheEndOrNotMakingTheRootFail() throws {
        let log = Log(count: 300)
        var audit = try LogAudit(checkpoint: log.checkpoint())
        for index in 0..<299 { try audit.add(entry: log.entries[index], servedLeafHash: log.leaves[index]) }
        #expect(throws: LogAuditFailure(entry: 299, "missing: the checkpoint has 300 entries")) { try audit.finish() }
        let forged = Checkpoint(origin: Self.origin, size: 300, root: MerkleHash.leaf([1]))
        #expect(throws: LogAuditFailure.self) { try log.audit(against: forged) }
        var notEvent = log
        notEvent.entries[5] = Array("{\"x\":1}".utf8)
        notEvent.leaves[5] = MerkleHash.leaf(notEvent.entries[5])
        do { try notEvent.audit(against: notEvent.checkpoint()); Issue.record("accepted") } catch { #expect(error.entry == 5) }
    }
}

extension LogAuditTests.Log {
    init(rebuilding entries: [[UInt8]]) {
        self.entries = entries
        leaves = entries.map { MerkleHash.leaf($0) }
        tree = MerkleTree(leafHashes: leaves)
    }
}
