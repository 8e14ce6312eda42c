import Foundation
import SignetCore

/// How a Signet server runs: where it listens, where its data lives, and its security settings.
/// Read from a JSON file (every key optional, unknown keys refused), then from environment
/// variables, which win: SIGNET_HOST, SIGNET_PORT, SIGNET_DATA, SIGNET_DATABASE, SIGNET_SECURE_COOKIES,
/// SIGNET_LOG_FORMAT, SIGNET_LOG_LEVEL (and SIGNET_DATABASE_PASSWORD, which only the environment gives).
public struct ServerConfig: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The data folder: database, TUF repository, online keys.
    public var dataDirectory = "signet-data"
    /// The database: SQLite in the data folder, or PostgreSQL shared by several replicas.
    public var database = DatabaseLocation.sqlite
    /// Mark cookies Secure: set when the server is behind TLS.
    public var secureCookies = false
    public var sessionHours = 12
    /// Consecutive failed logins that lock an account, and for how long.
    public var maxLoginFailures = 5
    public var lockoutMinutes = 15
    /// Login attempts one address may make per minute, whatever the account.
    public var loginAttemptsPerMinute = 20
    /// bcrypt's work factor for passwords (2^cost rounds); 12 takes about a quarter second here.
    public var bcryptCost = 12
    /// Roles that must sign in with a TOTP code as well; until such an account enrols an
    /// authenticator it can do nothing else.
    public var requireTOTP: [Role] = []
    /// How long a signed timestamp stays valid; the server re-signs it every third of that.
    public var timestampMinutes = 60
    /// The font previews are rendered with (players use the same one).
    public var fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    /// The largest asset upload, in bytes.
    public var maxAssetBytes = 64 * 1024 * 1024

    public enum LogFormat: String, Sendable, CaseIterable { case json, text }
    /// JSON lines for log shippers, or text for people at a terminal.
    public var logFormat = LogFormat.json
    public var logLevel = "info"
    /// How far ahead a release proposal's per-screen changes are worked out, in days.
    public var diffDays = 7
    /// A screen whose device has not sent a heartbeat for this long is offline.
    public var offlineAfterSeconds = 30
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public init() {}

    static let keys = ["host", "port", "data_directory", "secure_cookies", "session_hours", "max_login_failures",
                       "lockout_minutes", "login_attempts_per_minute", "bcrypt_cost", "max_asset_bytes", "require_totp", "font", "timestamp_minutes",
                       "log_format", "log_level", "diff_days", "database",
                       "offline_after_seconds"]

    public init(json bytes: [UInt8], environment: [String: String] = [:]) throws(ConfigError) {
        let value: JSONValue
        do { value = try JSONParser(maxBytes: 64 * 1024).parse(bytes) } catch { throw ConfigError("config: \(error.description)") }
        guard case .object(let object) = value else { throw ConfigError("config: must be a JSON object") }
        for member in object.members where !Self.keys.contains(member.key) {
            throw ConfigError("config.\(member.key): unknown setting (known: \(Self.keys.joined(separator: ", ")))")
        }
        func string(_ key: String) throws(ConfigError) -> String? {
            guard let field = object[key] else { return nil }
            guard let text = field.stringValue, !text.isEmpty else { throw ConfigError("config.\(key): must be a non-empty string") }
            return text
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int? {
            guard let field = object[key] else { return nil }
            guard let number = field.integerValue, range.contains(Int(number)) else {
                throw ConfigError("config.\(key): must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return Int(number)
        }
        self.init()
        host = try string("host") ?? host
        port = try integer("port", 1...65_535) ?? port
        dataDirectory = try string("data_directory") ?? dataDirectory
        if let url = try string("database") { database = try DatabaseLocation(url: url, password: environment["SIGNET_DATABASE_PASSWORD"]) }
        if let field = object["secure_cookies"] {
            guard case .bool(let flag) = field else { throw ConfigError("config.secure_cookies: must be true or false") }
            secureCookies = flag
        }
        sessionHours = try integer("session_hours", 1...720) ?? sessionHours
        maxLoginFailures = try integer("max_login_failures", 1...100) ?? maxLoginFailures
        lockoutMinutes = try integer("lockout_minutes", 1...10_080) ?? lockoutMinutes
        loginAttemptsPerMinute = try integer("login_attempts_per_minute", 1...10_000) ?? loginAttemptsPerMinute
        bcryptCost = try integer("bcrypt_cost", 4...16) ?? bcryptCost
        maxAssetBytes = try integer("max_asset_bytes", 1024...1_073_741_824) ?? maxAssetBytes
        fontPath = try string("font") ?? fontPath
        timestampMinutes = try integer("timestamp_minutes", 3...10_080) ?? timestampMinutes
        diffDays = try integer("diff_days", 1...92) ?? diffDays
        offlineAfterSeconds = try integer("offline_after_seconds", 5...86_400) ?? offlineAfterSeconds
        if let text = try string("log_format") {
            guard let format = LogFormat(rawValue: text) else { throw ConfigError("config.log_format: must be json or text") }
            logFormat = format
        }
        if let text = try string("log_level") {
            guard Self.logLevels.contains(text) else { throw ConfigError("config.log_level: must be one of \(Self.logLevels.joined(separator: ", "))") }
            logLevel = text
        }
        if let field = object["require_totp"] {
            guard let items = field.arrayValue else { throw ConfigError("config.require_totp: must be a list of roles") }
            requireTOTP = []
            for item in items {
                guard let name = item.stringValue, let role = Role(rawValue: name) else {
                    throw ConfigError("config.require_totp: \(JSONWriter.compact.string(item)) is not a role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                requireTOTP.append(role)
            }
        }
        try applyEnvironment(environment)
    }

    public mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigError) {
        if let host = environment["SIGNET_HOST"] { self.host = host }
        if let text = environment["SIGNET_PORT"] {
            guard let port = Int(text), (1...65_535).contains(port) else { throw ConfigError("SIGNET_PORT: \(text) is not a port") }
            self.port = port
        }
        if let data = environment["SIGNET_DATA"] { dataDirectory = data }
        if let url = environment["SIGNET_DATABASE"] {
            database = try DatabaseLocation(url: url, password: environment["SIGNET_DATABASE_PASSWORD"])
        } else if case .postgres(var location) = database, location.password == nil {
            location.password = environment["SIGNET_DATABASE_PASSWORD"]
            database = .postgres(location)
        }
        if let text = environment["SIGNET_SECURE_COOKIES"] {
            guard ["true", "false"].contains(text) else { throw ConfigError("SIGNET_SECURE_COOKIES: must be true or false") }
            secureCookies = text == "true"
        }
        if let text = environment["SIGNET_LOG_FORMAT"] {
            guard let format = LogFormat(rawValue: text) else { throw ConfigError("SIGNET_LOG_FORMAT: must be json or text") }
            logFormat = format
        }
        if let text = environment["SIGNET_LOG_LEVEL"] {
            guard Self.logLevels.contains(text) else { throw ConfigError("SIGNET_LOG_LEVEL: must be one of \(Self.logLevels.joined(separator: ", "))") }
            logLevel = text
        }
    }
}

public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
