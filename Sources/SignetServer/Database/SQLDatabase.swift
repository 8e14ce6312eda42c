/// The SQL both storage engines speak, and the few places where they differ.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// A table of a JSON array of strings, with columns `value` and `key` (its order), named `alias`.
    func jsonTextArray(_ placeholder: String, as alias: String) -> String {
        switch self {
        case .sqlite: "json_each(\(placeholder)) AS \(alias)"
        case .postgres: "json_array_elements_text(CAST(\(placeholder) AS json)) WITH ORDINALITY AS \(alias)(value, key)"
        }
    }
}

/// A connection inside one transaction. Statements use `?` placeholders.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(sql: String, arguments: SQLArguments) throws -> Int
    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow]
}

extension SQLConnection {
    @discardableResult
    public func execute(sql: String) throws -> Int { try execute(sql: sql, arguments: []) }

    public func fetchAll(sql: String) throws -> [SQLRow] { try fetchAll(sql: sql, arguments: []) }

    /// Inserts `rows` (each with a value per column) in statements of many rows each: one
    /// statement per row cost the transparency log a third of its appends on SQLite, and each is
    /// a round trip on PostgreSQL.
    public func insertRows(into table: String, columns: [String], _ rows: [[SQLValue]]) throws {
        let perStatement = max(1, 900 / columns.count)
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            var arguments = SQLArguments()
            arguments.values.reserveCapacity(chunk.count * columns.count)
            for values in chunk { arguments.values += values }
            try execute(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                            + Array(repeating: row, count: chunk.count).joined(separator: ", "), arguments: arguments)
        }
    }

    /// Runs an INSERT into a table with an `id` column and returns the new row's id.
    public func insertReturningID(sql: String, arguments: SQLArguments) throws -> Int64 {
        guard let id = try fetchOne(Int64.self, sql: sql + " RETURNING id", arguments: arguments) else {
            throw StoreError("no id returned by: \(sql)")
        }
        return id
    }

    public func fetchOne(sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try fetchAll(sql: sql, arguments: arguments).first
    }

    /// The first column of the first row as `T`; nil if there is no row or its value is NULL.
    public func fetchOne<T: SQLValueConvertible>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> T? {
        guard let value = try fetchAll(sql: sql, arguments: arguments).first?.values.first, value != .null else { return nil }
        return try Self.convert(value, sql: sql)
    }

    /// The first column of every row as `T`.
    public func fetchAll<T: SQLValueConvertible>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> [T] {
        try fetchAll(sql: sql, arguments: arguments).map { row in try Self.convert(row.values.first ?? .null, sql: sql) }
    }

    private static func convert<T: SQLValueConvertible>(_ value: SQLValue, sql: String) throws -> T {
        guard let converted = T(sqlValue: value) else { throw StoreError("\(value) is not \(T.self), from: \(sql)") }
        return converted
    }
}

/// A storage engine: transactions on a connection, run where blocking I/O belongs (not on the
/// concurrency pool). Write transactions run one at a time, even across server replicas sharing
/// a database: the transparency log's indices and a fan-out's command ids are the tables' next
/// rows, and each write sees every write before it.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// Runs `body` while no other holder of `lock` runs: in this process, and on PostgreSQL in
    /// every replica (a replica that dies holding it releases it with its connection).
    func exclusively<T: Sendable>(_ lock: ClusterLock, _ body: @Sendable () async throws -> T) async throws -> T
    /// Tells the replicas listening on `channel` (PostgreSQL's NOTIFY; one SQLite server has none).
    func notify(_ channel: String, _ payload: String) async throws
    /// Whether this server leads `role` now: the first replica to ask holds it until its
    /// connection dies, and another takes over at its next asking. One SQLite server always leads.
    func leads(_ role: ClusterRole) async -> Bool
}

/// Work outside the database that one server at a time may do.
public enum ClusterLock: Int64, Sendable, CaseIterable {
    /// Writing the TUF repository's files (a release's publication, the timestamp's re-signing).
    case repository = 0x101
}

/// Periodic work that one replica does for all of them.
public enum ClusterRole: Int64, Sendable, CaseIterable {
    /// Re-signing the repository's timestamp.
    case timestampSigner = 0x201
    /// Watching the fleet for silent screens (one alert per screen, not one per replica).
    case fleetWatch = 0x202
}

/// An async lock, held by one task at a time, the others waiting in order.
actor AsyncLock {
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard held else { held = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
    }

    func holding<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }
}

/// The store's own errors: damaged or impossible data, or an engine's refusal.
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
