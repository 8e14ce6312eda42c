import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetTUFRepository
import Testing

@testable import SignetServer

@Suite("The transparency log: every audit event an entry, served as tlog tiles under a checkpoint signed by the root's log key")
struct LogRouteTests {
    @Test func everyEventIsAnEntryAndTheTilesAndCheckpointProveIt() async throws {
        let fixture = try await ServerFixture.withRepository()
        defer { try? FileManager.default.removeItem(atPath: fixture.config.dataDirectory) }
        let root = try #require(try FileRepository(directory: "\(fixture.config.dataDirectory)/repository").load().root?.signed)
        let logKey = try NoteKey(logOf: root)
        #expect(logKey.name == ServerSetup.defaultLogOrigin)
        try await fixture.test { client in
            let admin = try await client.token(for: "admin")
            let reading: HTTPFields = [.authorization: "Bearer \(admin)"]
            let first = try Checkpoint(note: String(buffer: try await client.execute(uri: "/log/checkpoint", method: .get).body), verifiedBy: logKey)
            let created = try await client.json(.post, "/api/v1/screens", #"{"id": "astana-1", "name": "Astana 1", "width": 96, "height": 48, "time_zone": "Asia/Almaty", "groups": ["astana"]}"#, headers: reading)
            #expect(created.status == .created)
            _ = try await client.json(.post, "/api/v1/session", #"{"name": "admin", "password": "wrong"}"#)

            // The checkpoint names every audit event, in order; each audit row names its entry.
            let response = try await client.execute(uri: "/log/checkpoint", method: .get)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            let checkpoint = try Checkpoint(note: String(buffer: response.body), verifiedBy: logKey)
            let events = try await fixture.store.auditEvents()
            #expect(checkpoint.size == Int64(events.count) && checkpoint.size > first.size)
            #expect(events.map(\.action).suffix(2) == ["screen.create", "session.refused"])

            // The audit trail's newest events, newest first, each naming its entry; bad counts refused.
            let latest = try #require(try await client.json(.get, "/api/v1/audit?latest=2", headers: reading).object?["events"]?.arrayValue)
            #expect(latest.compactMap { $0.objectValue?["action"]?.stringValue } == ["session.refused", "screen.create"])
            #expect(latest.first?.objectValue?["log_index"] == .integer(checkpoint.size - 1))
            for bad in ["0", "1001", "x", "-1"] {
                #expect(try await client.json(.get, "/api/v1/audit?latest=\(bad)", headers: reading).status == .badRequest, "latest=\(bad)")
            }
            #expect(try await client.json(.get, "/api/v1/audit?after=x", headers: reading).status == .badRequest)

            // Entries need a signed-in reader; hashes and checkpoints do not.
            let path = "/log/" + TilePath.entries(index: 0, width: Int(checkpoint.size))
            #expect(try await client.execute(uri: path, method: .get).status == .unauthorized)
            let bundle = try await client.execute(uri: path, method: .get, headers: reading)
            #expect(bundle.status == .ok)
            let entries = try EntryBundle.decode(Array(bundle.body.readableBytesView))
            let logged = try entries.map { try LoggedEvent(entry: $0) }
            #expect(logged.map(\.action) == events.map(\.action))
            #expect(logged.last?.subject == "admin" && logged.last?.detail["reason"] != nil)

            // The level-0 tile is the entries' leaf hashes; from it, the checkpoint's root.
            let tile = try await client.execute(uri: "/log/" + TilePath.hashes(level: 0, index: 0, width: Int(checkpoint.size)), method: .get)
            let hashes = Array(tile.body.readableBytesView)
            #expect(hashes == entries.flatMap { MerkleHash.leaf($0) })
            #expect(MerkleTree(leafHashes: entries.map { MerkleHash.leaf($0) }).root == checkpoint.root)

            // Proofs: the first checkpoint is a prefix of the second; the last entry is in it.
            let consistency = try await client.execute(uri: "/api/v1/log/consistency?from=\(first.size)&to=\(checkpoint.size)", method: .get)
            let proof = try Self.proof(consistency)
            #expect(ConsistencyProof.verify(first: first.size, second: checkpoint.size, firstRoot: first.root, secondRoot: checkpoint.root, proof: proof))
            let inclusion = try await client.execute(uri: "/api/v1/log/inclusion?index=\(checkpoint.size - 1)&size=\(checkpoint.size)", method: .get)
            #expect(MerkleTree.verifyInclusion(leafHash: MerkleHash.leaf(entries.last!), index: checkpoint.size - 1, size: checkpoint.size,
                                               proof: try Self.proof(inclusion), root: checkpoint.root))

            // Tiles the log does not have yet, and tile paths in any other spelling, are not found.
            for missing in ["tile/0/000.p/\(checkpoint.size + 1)", "tile/1/000", "tile/0/x000/000", "tile/0/000.p/0", "tile/entries/001"] {
                #expect(try await client.execute(uri: "/log/\(missing)", method: .get, headers: reading).status == .notFound, "\(missing)")
            }
            for bad in ["from=0&to=1", "from=2&to=1", "from=1&to=\(checkpoint.size + 1)", "from=x&to=1"] {
                #expect(try await client.execute(uri: "/api/v1/log/consistency?\(bad)", method: .get).status != .ok, "\(bad)")
            }
        }
    }

    @Test func theStoredTilesAreTheTreesAcrossLevels() async throws {
        let store = try ServerStore.inMemory()
        let entries = (0..<(65_536 + 700)).map { Array("{\"n\":\($0)}".utf8) }
        try await store.database.write { db in
            for start in stride(from: 0, to: entries.count, by: 10_000) {
                _ = try ServerStore.appendToLog(Array(entries[start..<min(start + 10_000, entries.count)]), db)
            }
        }
        let tree = MerkleTree(leafHashes: entries.map { MerkleHash.leaf($0) })
        #expect(try await store.logRoot(size: Int64(entries.count)) == tree.root)
        #expect(try await store.logRoot(size: 1_000) == MerkleTree(leafHashes: Array(tree.levels[0].prefix(1_000))).root)
        #expect(try await store.logRoot(size: Int64(entries.count) + 1) == nil)
        #expect(try await store.logTile(level: 1, index: 0, width: 256) == tree.levels[8].prefix(256).flatMap { $0 })
        #expect(try await store.logTile(level: 2, index: 0, width: 1) == tree.levels[16][0])
        #expect(try await store.logTile(level: 1, index: 1, width: 2) == tree.levels[8][256...257].flatMap { $0 })
        #expect(try await store.logTile(level: 1, index: 1, width: 3) == nil)
        let proof = try #require(try await store.logInclusionProof(index: 65_600, size: Int64(entries.count)))
        #expect(proof == tree.inclusionProof(index: 65_600))
    }

    static func proof(_ response: TestResponse) throws -> [[UInt8]] {
        let object = try JSONParser().parse(Array(response.body.readableBytesView)).objectValue
        return try (object?["proof"]?.arrayValue ?? []).map { value in
            try #require(value.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init))
        }
    }
}
