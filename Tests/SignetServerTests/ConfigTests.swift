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
