import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// PostgreSQL through postgres-nio, for networks that outgrow one server: several replicas share
/// one database. Transactions run as GRDB runs SQLite's, on threads of their own (a small pool for
/// reads and one writer, one connection each) that wait for each statement's answer; the store's transactions are
/// therefore the same code on both engines.
///
/// Writes run one at a time across every replica, as SQLite's do: each holds an advisory lock,
/// taken before its transaction begins so that its snapshot includes every write before it.
/// They run SERIALIZABLE as well, and are tried again if PostgreSQL aborts one for a conflict
/// (which the lock leaves only for work outside the store). Reads run in a read-only snapshot
/// and never wait for the writer.
public final class PostgresDatabase: SQLDatabase {
    public var dialect: SQLDialect { .postgres }
    public let location: PostgresLocation
    let configuration: PostgresConnection.Configuration
    /// Reads' threads, and the one writer's: writes wait their turn across replicas, and reads
    /// must not wait behind them for a thread.
    let threads: NIOThreadPool
    let writerThread: NIOThreadPool
    let idle = Mutex<[PostgresConnection]>([])
    let connectionCount = Atomic<Int>(0)
    /// The connections holding the roles this replica leads (set aside from the pool).
    let leading = Mutex<[ClusterRole: PostgresConnection]>([:])
    let logger: Logger
    /// How often a write aborted by a conflict is tried again before the error is the caller's.
    static let attempts = 5
    /// The advisory locks' keys (within `location.advisoryKey`): the one writer, and bringing the schema up to date.
    static let writerLock: Int64 = 1, schemaLock: Int64 = 2

    public init(_ location: PostgresLocation, connections: Int = 4, logger: Logger = Logger(label: "signet.postgres")) throws {
        self.location = location
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database,
            tls: location.tls ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
        if let schema = location.schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        configuration.options.connectTimeout = .seconds(5)
        self.configuration = configuration
        self.logger = logger
        threads = NIOThreadPool(numberOfThreads: connections)
        threads.start()
        writerThread = NIOThreadPool(numberOfThreads: 1)
        writerThread.start()
    }

    deinit {
        threads.shutdownGracefully { _ in }
        writerThread.shutdownGracefully { _ in }
        // A connection must be closed before it is released: each is kept until its close completes.
        for connection in idle.withLock({ $0 }) + leading.withLock({ Array($0.values) }) { connection.close().whenComplete { _ in withExtendedLifetime(connection) {} } }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writer: false, body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await transaction(begin: "BEGIN ISOLATION LEVEL SERIALIZABLE", writer: true, body)
    }

    public func exclusively<T: Sendable>(_ lock: ClusterLock, _ body: @Sendable () async throws -> T) async throws -> T {
        // A session's lock on a connection set aside until it is released.
        let connection = try await threads.runIfActive { [self] in
            let connection = try checkOut()
            do {
                try PostgresTransaction(connection: connection, logger: logger).execute(sql: "SELECT pg_advisory_lock(?)", arguments: [location.advisoryKey(lock.rawValue)])
            } catch {
                checkIn(connection)
                throw error
            }
            return connection
        }
        let unlock: @Sendable () async -> Void = { [self] in
            _ = try? await threads.runIfActive { [self] in
                _ = try? PostgresTransaction(connection: connection, logger: logger).execute(sql: "SELECT pg_advisory_unlock(?)", arguments: [location.advisoryKey(lock.rawValue)])
                checkIn(connection)
            }
        }
        do {
            let value = try await body()
            await unlock()
            return value
        } catch {
            await unlock()
            throw error
        }
    }

    public func leads(_ role: ClusterRole) async -> Bool {
        if let held = leading.withLock({ $0[role] }), !held.isClosed { return true }
        return (try? await threads.runIfActive { [self] in
            let connection = try checkOut()
            let taken = try PostgresTransaction(connection: connection, logger: logger)
                .fetchOne(Bool.self, sql: "SELECT pg_try_advisory_lock(?)", arguments: [location.advisoryKey(role.rawValue)]) == true
            if taken { leading.withLock { $0[role] = connection } } else { checkIn(connection) }
            return taken
        }) ?? false
    }

    public func notify(_ channel: String, _ payload: String) async throws {
        try await withConnection { connection in try connection.execute(sql: "SELECT pg_notify(?, ?)", arguments: [channel, payload]) }
    }

    /// Receives what other replicas `notify` on `channel`, on a connection of its own, until the
    /// connection fails (an error) or the task is cancelled.
    public func listen(_ channel: String, ready: @Sendable () async -> Void = {}, _ received: @Sendable (String) async -> Void) async throws {
        let connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                              id: connectionCount.add(1, ordering: .relaxed).newValue, logger: logger)
        do {
            try await connection.listen(on: channel) { notifications in
                await ready()
                for try await notification in notifications { await received(notification.payload) }
            }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs `body` on a connection outside a transaction (schema set-up and NOTIFY).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) throws -> T) async throws -> T {
        try await threads.runIfActive { [self] in
            let connection = try checkOut()
            do {
                let value = try body(PostgresTransaction(connection: connection, logger: logger))
                checkIn(connection)
                return value
            } catch {
                checkIn(connection)
                throw error
            }
        }
    }

    private func transaction<T: Sendable>(begin: String, writer: Bool, _ body: @escaping @Sendable (any SQLConnection) throws -> T)
        async throws -> T
    {
        try await (writer ? writerThread : threads).runIfActive { [self] in
            let connection = try checkOut()
            let transaction = PostgresTransaction(connection: connection, logger: logger)
            defer { checkIn(connection) }
            // A session's lock: released by the unlock, or by PostgreSQL when a replica's connection dies.
            if writer { try transaction.execute(sql: "SELECT pg_advisory_lock(?)", arguments: [location.advisoryKey(Self.writerLock)]) }
            defer { if writer { _ = try? transaction.execute(sql: "SELECT pg_advisory_unlock(?)", arguments: [location.advisoryKey(Self.writerLock)]) } }
            for attempt in 1... {
                do {
                    try transaction.execute(sql: begin)
                    let value = try body(transaction)
                    try transaction.execute(sql: "COMMIT")
                    return value
                } catch {
                    if connection.isClosed { throw error }
                    _ = try? transaction.execute(sql: "ROLLBACK")
                    guard attempt < Self.attempts, PostgresTransaction.isConflict(error) else { throw error }
                }
            }
            preconditionFailure("unreachable")
        }
    }

    private func checkOut() throws -> PostgresConnection {
        if let connection = idle.withLock({ $0.popLast() }), !connection.isClosed { return connection }
        let id = connectionCount.add(1, ordering: .relaxed).newValue
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id,
                                                  logger: logger).wait()
        } catch {
            throw StoreError("cannot connect to \(location): \(PostgresTransaction.describe(error))")
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        idle.withLock { $0.append(connection) }
    }
}

/// One connection inside a transaction, waiting for each statement's answer on the calling
/// thread (a thread of `PostgresDatabase`'s pool, never an event loop's).
struct PostgresTransaction: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func execute(sql: String, arguments: SQLArguments) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        try run(sql, arguments).rows.map { row in
            var columns: [String] = [], values: [SQLValue] = []
            for cell in row {
                columns.append(cell.columnName)
                values.append(try Self.value(cell))
            }
            return SQLRow(columns: columns, values: values)
        }
    }

    private func run(_ sql: String, _ arguments: SQLArguments) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: arguments.values.count)
        for value in arguments.values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let integer): binds.append(integer)
            case .real(let real): binds.append(real)
            case .text(let text): binds.append(text)
            case .blob(let bytes): binds.append(ByteBuffer(bytes: bytes))
            }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: Self.numberedPlaceholders(sql), binds: binds), logger: logger).wait()
        } catch {
            throw PostgresStatementError(sql: sql, underlying: error)
        }
    }

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, ... (outside quoted strings and names).
    static func numberedPlaceholders(_ sql: String) -> String {
        var result = "", number = 0, quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .text, .varchar, .name, .bpchar: return .text(try cell.decode(String.self))
        case .bytea: return .blob(Array(buffer: try cell.decode(ByteBuffer.self)))
        default: throw StoreError("column \(cell.columnName) has type \(cell.dataType), which the store does not read")
        }
    }

    /// SQLSTATE 40001 (serialization failure) or 40P01 (deadlock): the transaction may succeed
    /// if it runs again.
    static func isConflict(_ error: any Error) -> Bool {
        let underlying = (error as? PostgresStatementError)?.underlying ?? error
        guard let state = (underlying as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// postgres-nio hides the server's message from `description` (it may hold data); the store's
    /// errors name the SQLSTATE and the message, which name no values.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            return "\(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
        }
        return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
    }
}

/// A statement PostgreSQL refused, with its text (never its arguments).
struct PostgresStatementError: Error, CustomStringConvertible {
    let sql: String
    let underlying: any Error
    var description: String { "\(PostgresTransaction.describe(underlying)), in: \(sql)" }
}
