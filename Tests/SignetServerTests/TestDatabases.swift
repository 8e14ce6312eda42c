import Foundation
import SignetCore
import Testing

@testable import SignetServer

/// The engines store tests run on. PostgreSQL is the server .ci/run starts on loopback
/// (SIGNET_TEST_POSTGRES and SIGNET_TEST_POSTGRES_PASSWORD name another); each store gets a schema
/// of its own, so tests run in parallel without seeing each other's rows.
enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    func store() async throws -> ServerStore {
        switch self {
        case .sqlite: try ServerStore.inMemory()
        case .postgres: try await ServerStore(postgres: try TestPostgres.freshSchema())
        }
    }
}

enum TestPostgres {
    static let location: PostgresLocation = {
        let environment = ProcessInfo.processInfo.environment
        let url = environment["SIGNET_TEST_POSTGRES"] ?? "postgres://signet@127.0.0.1:5432/signet_test"
        guard case .postgres(let location) = try? DatabaseLocation(url: url, password: environment["SIGNET_TEST_POSTGRES_PASSWORD"] ?? "signet-test")
        else { preconditionFailure("SIGNET_TEST_POSTGRES: \(url) is not a postgres:// URL") }
        return location
    }()

    /// A database in a new, empty schema of the test server (the same schema for every
    /// `PostgresDatabase` made from the returned location: replicas of one server).
    static func freshSchema() async throws -> PostgresDatabase {
        try PostgresDatabase(try await freshLocation(), connections: 2)
    }

    static func freshLocation() async throws -> PostgresLocation {
        var location = location
        let schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let server = try PostgresDatabase(location, connections: 1)
        do {
            try await server.write { db in try db.execute(sql: "CREATE SCHEMA \(schema)") }
        } catch {
            throw StoreError("""
                the PostgreSQL tests need the server that .ci/run starts (\(location)): \(error)
                start one with: pg_ctlcluster 15 main start, then create the role and database as .ci/run does
                """)
        }
        location.schema = schema
        return location
    }
}
