import Foundation

/// Where the server's database lives: SQLite in the data folder (the default), or a PostgreSQL
/// server named by a URL, `postgres://USER@HOST[:PORT]/DATABASE[?schema=NAME&tls=require|off]`.
/// The password is never part of the URL (command lines and config files are read by others):
/// it comes from SIGNET_DATABASE_PASSWORD.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite
    case postgres(PostgresLocation)

    public var description: String {
        switch self {
        case .sqlite: "SQLite in the data folder"
        case .postgres(let location): location.description
        }
    }

    public init(url text: String, password: String?) throws(ConfigError) {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw ConfigError("database: \(text) is not a postgres:// URL (leave it unset for SQLite in the data folder)")
        }
        guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw ConfigError("database: \(text) is not a URL of the form postgres://USER@HOST[:PORT]/DATABASE")
        }
        guard url.password == nil else {
            throw ConfigError("database: the URL holds a password; give it in SIGNET_DATABASE_PASSWORD instead (a command line or config file is readable by others)")
        }
        guard let user = url.user, !user.isEmpty else { throw ConfigError("database: the URL names no user (postgres://USER@HOST/DATABASE)") }
        let name = String(url.path.dropFirst())
        guard !name.isEmpty, !name.contains("/") else { throw ConfigError("database: the URL names no database (postgres://USER@HOST/DATABASE)") }
        let port = url.port ?? 5432
        guard (1...65_535).contains(port) else { throw ConfigError("database: \(port) is not a port") }
        var location = PostgresLocation(host: host, port: port, user: user, password: password, database: name,
                                        tls: !PostgresLocation.isLoopback(host))
        for item in url.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("schema", let schema):
                guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                    throw ConfigError("database: schema \(schema) must be a lower-case SQL name")
                }
                location.schema = schema
            case ("tls", "require"): location.tls = true
            case ("tls", "off"):
                guard PostgresLocation.isLoopback(host) else {
                    throw ConfigError("database: tls=off is allowed on loopback only (\(host) is not)")
                }
                location.tls = false
            default: throw ConfigError("database: unknown URL parameter \(item.name)=\(item.value ?? "") (known: schema, tls=require|off)")
            }
        }
        self = .postgres(location)
    }
}

public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// The schema the tables live in (its own search path); nil: the server's default.
    public var schema: String?
    /// Whether the connection must be encrypted (required off loopback).
    public var tls: Bool

    public init(host: String, port: Int, user: String, password: String?, database: String, schema: String? = nil, tls: Bool = false) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.schema = schema
        self.tls = tls
    }

    /// An advisory lock's key: `base` in the low 32 bits and the schema's name hashed (FNV-1a)
    /// into the high 32, so that networks in separate schemas of one database never wait for
    /// each other's locks.
    public func advisoryKey(_ base: Int64) -> Int64 {
        var hash: UInt32 = 2_166_136_261
        for byte in (schema ?? "").utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int64(Int32(bitPattern: hash)) << 32 | (base & 0xFFFF_FFFF)
    }

    static func isLoopback(_ host: String) -> Bool { ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host) }

    /// For logs and status lines: never the password.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }
}
