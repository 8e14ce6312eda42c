import Foundation
import GRDB

/// SQLite through GRDB: the embedded default. GRDB serialises reads and writes on its own queue,
/// and its async methods keep blocking I/O off the concurrency pool. (A WAL pool reads in
/// parallel but wraps each read in a transaction: `signet bench api` measured the token-checked
/// programme read at 3,000 requests/s with a pool against 4,000 with this queue.)
public struct SQLiteDatabase: SQLDatabase {
    let queue: DatabaseQueue
    let locks = Dictionary(uniqueKeysWithValues: ClusterLock.allCases.map { ($0, AsyncLock()) })
    public var dialect: SQLDialect { .sqlite }

    /// Opens (creating if needed) the database file.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        // Write-ahead log, synced at every commit: a rollback journal's create, two syncs and
        // delete per transaction stalled the writer for 0.1-0.3 s now and then under a fleet's load.
        configuration.journalMode = .wal
        // SQLite's default page cache is 2 MB; a fleet's command rows and their screen index
        // outgrow it within minutes, and every later write then reads its pages back.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -65536") }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// A private database in memory, for tests.
    public init() throws { queue = try DatabaseQueue() }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await queue.read { db in try body(SQLiteConnection(db: db)) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await queue.write { db in try body(SQLiteConnection(db: db)) }
    }

    public func exclusively<T: Sendable>(_ lock: ClusterLock, _ body: @Sendable () async throws -> T) async throws -> T {
        try await locks[lock]!.holding(body)
    }

    public func notify(_ channel: String, _ payload: String) async throws {}

    public func leads(_ role: ClusterRole) async -> Bool { true }

    /// Brings the schema up to date (GRDB's migrator, which records what it applied).
    func migrate(_ migrator: DatabaseMigrator) throws { try migrator.migrate(queue) }
}

/// A GRDB database inside one of its transactions. Statements are cached by their text.
struct SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func execute(sql: String, arguments: SQLArguments) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        return try Row.fetchAll(statement, arguments: Self.arguments(arguments)).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
        }
    }

    static func arguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case .integer(let integer): integer.databaseValue
            case .real(let real): real.databaseValue
            case .text(let text): text.databaseValue
            case .blob(let bytes): Data(bytes).databaseValue
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .blob(Array(data))
        }
    }
}
