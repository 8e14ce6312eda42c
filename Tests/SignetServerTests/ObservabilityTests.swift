import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import SignetCore
import Synchronization
import Testing

@testable import SignetServer

@Suite("Prometheus metrics and JSON logs")
struct ObservabilityTests {
    @Test func metricsCountRequestsByRouteTemplateAndNeedAnAccount() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            #expect(try await client.json(.get, "/metrics").status == .unauthorized)
            _ = try await client.json(.get, "/api/v1/screens")
            _ = try await client.json(.get, "/api/v1/assets/../../etc/passwd")
            let token = try await client.token(for: "viewer")
            let response = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let lines = response.text.split(separator: "\n").map(String.init)
            #expect(lines.contains(#"signet_http_requests_total{method="GET",route="/metrics",status="401"} 1"#))
            #expect(lines.contains(#"signet_http_requests_total{method="GET",route="/api/v1/screens",status="401"} 1"#))
            #expect(lines.contains(#"signet_http_requests_total{method="POST",route="/api/v1/session",status="200"} 1"#))
            #expect(lines.contains(#"signet_audit_events_total{action="session.start"} 1"#))
            #expect(lines.contains("# TYPE signet_http_request_duration_seconds histogram"))
            #expect(lines.contains("signet_screens 0.0"))
            #expect(lines.contains(#"signet_release_proposals{state="open"} 0.0"#))
            // A path the router does not know is counted under one label, not under its own name.
            #expect(!response.text.contains("passwd"))
            #expect(lines.contains { $0.hasPrefix(#"signet_http_requests_total{method="GET",route="NotFound",status="404"}"#) })
        }
    }

    @Test func jsonLogLinesAreOneObjectEachWhateverTheMessage() throws {
        let lines = Mutex<[[UInt8]]>([])
        var handler = JSONLogHandler(label: "signet.test", clock: { Instant(millisecondsSince1970: 1_764_000_000_123) },
                                     write: { line in lines.withLock { $0.append(line) } })
        handler.metadata["replica"] = "a"
        let logger = Logger(label: "signet.test") { _ in handler }
        logger.info("a \"quoted\"\nmessage", metadata: ["actor": "admin", "detail": ["count": "2"], "keys": ["x", "y"]])
        logger.debug("below the level: dropped")
        logger.error("failed")
        let written = lines.withLock { $0 }
        #expect(written.count == 2)
        #expect(written.allSatisfy { $0.last == 0x0A && $0.dropLast().contains(0x0A) == false })
        let first = try #require(try JSONParser().parse(Array(written[0].dropLast())).objectValue)
        #expect(first["message"] == .string("a \"quoted\"\nmessage"))
        #expect(first["time"] == .string("2025-11-24T16:00:00.123Z"))
        #expect(first["level"] == .string("info") && first["logger"] == .string("signet.test") && first["replica"] == .string("a"))
        #expect(first["actor"] == .string("admin") && first["detail"] == .object(["count": "2"]) && first["keys"] == .array(["x", "y"]))
        #expect(first["source"] == nil)
        let second = try #require(try JSONParser().parse(Array(written[1].dropLast())).objectValue)
        #expect(second["level"] == .string("error") && second["source"]?.stringValue?.contains("ObservabilityTests.swift") == true)
    }

    @Test func logFormatAndLevelAreSettings() throws {
        let config = try ServerConfig(json: Array(#"{"log_format": "text", "log_level": "debug"}"#.utf8), environment: ["SIGNET_LOG_LEVEL": "warning"])
        #expect(config.logFormat == .text && config.logLevel == "warning")
        #expect(ServerLogging.logger(config).logLevel == .warning)
        #expect(throws: ConfigError("config.log_format: must be json or text")) { try ServerConfig(json: Array(#"{"log_format": "xml"}"#.utf8)) }
        var environment = ServerConfig()
        #expect(throws: ConfigError.self) { try environment.applyEnvironment(["SIGNET_LOG_LEVEL": "loud"]) }
    }
}
