import Foundation
import SignetCore
import SignetSystem
import Testing

@testable import SignetServer

/// PostgreSQL shared by several server replicas: the schema matches SQLite's, and the work that
/// must have one writer (log appends, command numbering) stays correct when replicas do it at once.
@Suite("PostgreSQL shared by replicas")
struct ReplicaStoreTests {
    @Test("PostgreSQL's schema has SQLite's tables and columns")
    func schemasMatch() async throws {
        let sqlite = try ServerStore.inMemory(), postgres = try await TestEngine.postgres.store()
        let sqliteColumns = try await sqlite.database.read { db in
            try db.fetchAll(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'")
                .flatMap { table in try db.fetchAll(String.self, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map { "\(table).\($0)" } }
        }
        let postgresColumns = try await postgres.database.read { db in
            try db.fetchAll(String.self, sql: """
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name <> 'signet_migration'
                """)
        }
        #expect(sqliteColumns.count > 100)
        #expect(Set(postgresColumns) == Set(sqliteColumns))
    }

    @Test("two replicas appending to the log at once: one log, every index once, every event's row naming its entry")
    func concurrentLogAppends() async throws {
        let location = try await TestPostgres.freshLocation()
        let replicas = [try await ServerStore(postgres: try PostgresDatabase(location, connections: 3)),
                        try await ServerStore(postgres: try PostgresDatabase(location, connections: 3))]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, replica) in replicas.enumerated() {
                for writer in 0..<3 {
                    group.addTask {
                        for batch in 0..<10 {
                            try await replica.audit((0..<10).map { index in
                                LoggedEvent(at: Instant(millisecondsSince1970: 1_764_000_000_000), actor: "replica \(number)", action: "play.proof",
                                            subject: "writer \(writer) batch \(batch) event \(index)", address: "-", detail: [:])
                            })
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await replicas[0].logSize() == 600)
        let events = try await replicas[1].auditEvents(after: 0, limit: 1000)
        #expect(events.count == 600)
        #expect(Set(events.compactMap(\.logIndex)) == Set(0..<600))
        // Each row's entry is the event it records, and the tree over the entries is the log's.
        let entries = try await replicas[0].logEntries(from: 0, count: 600)
        for event in events {
            let logged = LoggedEvent(at: event.at, actor: event.actor, action: event.action, subject: event.subject, address: event.address, detail: [:])
            #expect(entries[Int(event.logIndex!)].entry == logged.entry)
        }
        #expect(try await replicas[1].logRoot(size: 600) == MerkleTree(leafHashes: entries.map { MerkleHash.leaf($0.entry) }).root)
    }

    @Test("two replicas issuing fan-outs at once: each batch's ids consecutive, each screen's sequence numbers 1, 2, 3, ... without a gap")
    func concurrentFanOuts() async throws {
        let location = try await TestPostgres.freshLocation()
        let replicas = [try await ServerStore(postgres: try PostgresDatabase(location, connections: 3)),
                        try await ServerStore(postgres: try PostgresDatabase(location, connections: 3))]
        let screens = (1...50).map { "s-\($0)" }
        for screen in screens {
            try await replicas[0].createScreen(id: screen, name: screen, width: 64, height: 32, timeZone: "UTC", groups: [], at: StoreTests.now)
        }
        let batches = try await withThrowingTaskGroup(of: [(id: Int64, screen: String, sequence: Int64)].self) { group in
            for replica in replicas {
                for fanOut in 0..<4 {
                    group.addTask {
                        try await replica.reserveCommands(screens: fanOut % 2 == 0 ? screens : screens.reversed(), action: "safe", by: "operator",
                                                          at: StoreTests.now, expires: StoreTests.later(60))
                    }
                }
            }
            var batches: [[(id: Int64, screen: String, sequence: Int64)]] = []
            for try await batch in group { batches.append(batch) }
            return batches
        }
        #expect(batches.count == 8)
        for batch in batches {
            #expect(batch.map(\.id) == Array(batch[0].id..<batch[0].id + Int64(screens.count)))
        }
        for screen in screens {
            let sequences = batches.flatMap { $0.filter { $0.screen == screen }.map(\.sequence) }.sorted()
            #expect(sequences == Array(1...8))
        }
    }

    /// The writer's lock is a session's: a replica that dies in the middle of a write (here psql,
    /// taking the lock as a replica does and stopped mid-transaction) loses its transaction and
    /// the lock with its connection, and the next writer goes on at once.
    @Test("a replica killed in the middle of a write: its half-done write is gone and another replica's write goes through at once")
    func killedWriter() async throws {
        let location = try await TestPostgres.freshLocation()
        let store = try await ServerStore(postgres: try PostgresDatabase(location, connections: 2))
        func event(_ subject: String) -> LoggedEvent {
            LoggedEvent(at: StoreTests.now, actor: "replica", action: "command.issue", subject: subject, address: "-", detail: [:])
        }
        try await store.audit([event("before")])
        let psql = try #require(findExecutable("psql"), "psql (Debian's postgresql-client) is needed")
        let url = "postgresql://\(location.user):\(location.password ?? "")@\(location.host):\(location.port)/\(location.database)"
            + "?options=-csearch_path%3D\(location.schema!)"
        let dying = try ChildProcess(psql, ["-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url], pipeInput: true)
        try dying.write(Array("""
            \\o /dev/null
            SELECT pg_advisory_lock(\(location.advisoryKey(PostgresDatabase.writerLock)));
            BEGIN;
            INSERT INTO log_entry (idx, entry) VALUES (1, 'half-done'::bytea);
            \\o
            SELECT 'holding';

            """.utf8))
        #expect(try dying.readOutput(exactly: 8) == Array("holding\n".utf8))

        let write = Task { try await store.audit([event("after")]); return ContinuousClock.now }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await store.logSize() == 1, "the write waits for the writer's lock; reads do not")
        let killed = ContinuousClock.now
        dying.stop()
        let written = try await write.value
        // Seconds under the load of the whole suite, not the minutes or hours of a timeout:
        // the lock goes with the dead connection.
        #expect(written - killed < .seconds(10))
        let entries = try await store.logEntries(from: 0, count: 10)
        #expect(entries.map(\.entry) == [event("before").entry, event("after").entry])
    }

    /// Periodic work one replica does for all (re-signing the timestamp, watching for silent
    /// screens) has a leader: the first replica to ask. When the leader's connection dies (here
    /// its backend is terminated, as a crash or a lost network would end it), another takes over.
    @Test("one replica leads each periodic role; when the leader's connection dies, another takes over")
    func leaderFailover() async throws {
        let location = try await TestPostgres.freshLocation()
        let first = try PostgresDatabase(location, connections: 2), second = try PostgresDatabase(location, connections: 2)
        #expect(await first.leads(.timestampSigner))
        #expect(await first.leads(.timestampSigner), "it keeps the role")
        #expect(await second.leads(.timestampSigner) == false)
        #expect(await second.leads(.fleetWatch), "each role has its own leader")
        #expect(await first.leads(.fleetWatch) == false)

        let key = location.advisoryKey(ClusterRole.timestampSigner.rawValue)
        let terminated = try await second.write { db in
            try db.fetchAll(Bool.self, sql: """
                SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND CAST(classid AS BIGINT) = ? AND CAST(objid AS BIGINT) = ?
                """, arguments: [(key >> 32) & 0xFFFF_FFFF, key & 0xFFFF_FFFF])
        }
        #expect(terminated == [true])
        try await waitFor("the second replica takes the timestamp over", seconds: 10) { await second.leads(.timestampSigner) }
        #expect(await first.leads(.timestampSigner) == false, "the first finds it taken")
    }
}

