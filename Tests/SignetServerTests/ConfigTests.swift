import SignetCore
import Testing

@testable import SignetServer

@Suite("Server configuration: a file, then the environment")
struct ConfigTests {
    @Test func readsAFileAndLetsTheEnvironmentWin() throws {
        let config = try ServerConfig(json: Array(#"{"port": 9000, "data_directory": "/srv/signet", "secure_cookies": true}"#.utf8),
                                      environment: ["SIGNET_PORT": "9443", "SIGNET_HOST": "0.0.0.0"])
        #expect(config.port == 9443 && config.host == "0.0.0.0" && config.dataDirectory == "/srv/signet" && config.secureCookies)
        #expect(config.sessionHours == 12 && config.maxLoginFailures == 5 && config.bcryptCost == 12 && config.requireTOTP.isEmpty)
        let strict = try ServerConfig(json: Array(#"{"require_totp": ["admin", "operator"]}"#.utf8))
        #expect(strict.requireTOTP == [.admin, .operator])
    }

    @Test(arguments: [
        (#"{"prot": 9000}"#, "config.prot: unknown setting"),
        (#"{"port": 70000}"#, "config.port: must be an integer from 1 to 65535"),
        (#"{"port": "80"}"#, "config.port: must be an integer from 1 to 65535"),
        (#"{"secure_cookies": "yes"}"#, "config.secure_cookies: must be true or false"),
        (#"{"bcrypt_cost": 2}"#, "config.bcrypt_cost: must be an integer from 4 to 16"),
        (#"[1]"#, "config: must be a JSON object"),
        (#"{"require_totp": ["admin", "root"]}"#, "config.require_totp: \"root\" is not a role"),
    ])
    func refusesBadSettings(_ text: String, _ expected: String) {
        #expect(throws: ConfigError.self) { try ServerConfig(json: Array(text.utf8)) }
        do { _ = try ServerConfig(json: Array(text.utf8)) } catch { #expect(error.description.hasPrefix(expected), "\(error)") }
    }

    @Test func refusesABadEnvironment() {
        var config = ServerConfig()
        #expect(throws: ConfigError("SIGNET_PORT: http is not a port")) { try config.applyEnvironment(["SIGNET_PORT": "http"]) }
    }
}

@Suite("the database setting: SQLite by default, or a postgres:// URL without its password")
struct DatabaseLocationTests {
    @Test func postgresURLs() throws {
        let location = try DatabaseLocation(url: "postgres://signet@127.0.0.1:5433/signage?schema=city_a", password: "s3cret")
        #expect(location == .postgres(PostgresLocation(host: "127.0.0.1", port: 5433, user: "signet", password: "s3cret", database: "signage",
                                                       schema: "city_a", tls: false)))
        #expect(!location.description.contains("s3cret"))
        // Off loopback the connection is always encrypted.
        #expect(try DatabaseLocation(url: "postgresql://signet@db.city.example/signage", password: nil)
                    == .postgres(PostgresLocation(host: "db.city.example", port: 5432, user: "signet", password: nil, database: "signage", tls: true)))
        let config = try ServerConfig(json: Array(#"{"database": "postgres://signet@localhost/signage"}"#.utf8),
                                      environment: ["SIGNET_DATABASE_PASSWORD": "from-env"])
        guard case .postgres(let configured) = config.database else { Issue.record("not postgres"); return }
        #expect(configured.password == "from-env" && configured.host == "localhost")
    }

    @Test(arguments: [
        ("mysql://signet@127.0.0.1/signage", "is not a postgres:// URL"),
        ("postgres://signet:hunter2@127.0.0.1/signage", "give it in SIGNET_DATABASE_PASSWORD"),
        ("postgres://127.0.0.1/signage", "names no user"),
        ("postgres://signet@127.0.0.1/", "names no database"),
        ("postgres://signet@db.city.example/signage?tls=off", "tls=off is allowed on loopback only"),
        ("postgres://signet@127.0.0.1/signage?schema=Robert');DROP", "must be a lower-case SQL name"),
        ("postgres://signet@127.0.0.1/signage?sslmode=disable", "unknown URL parameter sslmode"),
    ])
    func refusals(url: String, reason: String) {
        #expect(throws: ConfigError.self) { try DatabaseLocation(url: url, password: nil) }
        do { _ = try DatabaseLocation(url: url, password: nil) } catch {
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(!error.description.contains("hunter2"))
        }
    }
}
