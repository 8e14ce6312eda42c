import Foundation
import SignetCore

/// The server's database, on either engine: SQLite in the data folder (the default) or
/// PostgreSQL shared by several server replicas. Every query is written once, in the SQL both
/// speak; `SQLDialect` holds the few places where they differ.
public struct ServerStore: Sendable {
    let database: any SQLDatabase
    /// Recent command batches' trees (see `CommandBatchTrees`).
    let batchTrees = CommandBatchTrees()

    public var engine: SQLDialect { database.dialect }

    /// Opens (creating if needed) an SQLite database file and brings its schema up to date.
    public init(path: String) throws {
        try self.init(sqlite: try SQLiteDatabase(path: path))
    }

    /// A private SQLite database in memory, for tests.
    public static func inMemory() throws -> ServerStore { try ServerStore(sqlite: try SQLiteDatabase()) }

    init(sqlite: SQLiteDatabase) throws {
        try sqlite.migrate(Self.sqliteMigrator)
        database = sqlite
    }

    /// A PostgreSQL database, its schema brought up to date (by one replica at a time).
    public init(postgres: PostgresDatabase) async throws {
        try await Self.migrate(postgres)
        database = postgres
    }

    /// The same database opened again, as a restarted server opens it (nothing kept in memory).
    init(reopening store: ServerStore) async throws {
        switch store.database {
        case let sqlite as SQLiteDatabase: try self.init(sqlite: sqlite)
        case let postgres as PostgresDatabase: try await self.init(postgres: postgres)
        default: throw StoreError("no engine for \(store.database)")
        }
    }

    /// The store `location` names: SQLite at `sqlitePath`, or PostgreSQL.
    public static func open(_ location: DatabaseLocation, sqlitePath: String) async throws -> ServerStore {
        switch location {
        case .sqlite: try ServerStore(path: sqlitePath)
        case .postgres(let postgres): try await ServerStore(postgres: try PostgresDatabase(postgres))
        }
    }

    static func migrate(_ postgres: PostgresDatabase) async throws {
        try await postgres.withConnection { connection in
            // Read committed, so that a replica that waited for the lock sees what the one before it applied.
            try connection.execute(sql: "BEGIN")
            do {
                try connection.execute(sql: "SELECT pg_advisory_xact_lock(?)", arguments: [postgres.location.advisoryKey(PostgresDatabase.schemaLock)])
                try connection.execute(sql: "CREATE TABLE IF NOT EXISTS signet_migration (name TEXT PRIMARY KEY, applied_ms BIGINT NOT NULL)")
                let applied = Set(try connection.fetchAll(String.self, sql: "SELECT name FROM signet_migration"))
                for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                    for statement in migration.sql.components(separatedBy: ";\n") where !statement.allSatisfy(\.isWhitespace) {
                        try connection.execute(sql: statement)
                    }
                    try connection.execute(sql: "INSERT INTO signet_migration (name, applied_ms) VALUES (?, ?)",
                                           arguments: [migration.name, Int64(Date().timeIntervalSince1970 * 1000)])
                }
                try connection.execute(sql: "COMMIT")
            } catch {
                _ = try? connection.execute(sql: "ROLLBACK")
                throw error
            }
        }
    }
}
