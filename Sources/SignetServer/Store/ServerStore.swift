import Foundation
import GRDB

/// The server's database: SQLite through GRDB, migrated on open. GRDB serialises reads and writes
/// on its own queue, and its async methods keep blocking I/O off the concurrency pool. (A WAL
/// pool reads in parallel but wraps each read in a transaction: `signet bench api` measured the
/// token-checked programme read at 3,000 requests/s with a pool against 4,000 with this queue.)
public struct ServerStore: Sendable {
    let database: DatabaseQueue
    /// Recent command batches' trees (see `CommandBatchTrees`).
    let batchTrees = CommandBatchTrees()

    /// Opens (creating if needed) the database file and brings its schema up to date.
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
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        try Self.migrator.migrate(database)
    }

    /// A private database in memory, for tests.
    public static func inMemory() throws -> ServerStore { try ServerStore(queue: DatabaseQueue()) }

    init(queue: DatabaseQueue) throws {
        database = queue
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1: accounts, sessions, tokens, audit") { db in
            try db.create(table: "account") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull().unique(onConflict: .abort)
                table.column("role", .text).notNull()
                table.column("password_hash", .text).notNull()
                table.column("must_change_password", .boolean).notNull().defaults(to: false)
                table.column("totp_secret", .text)
                table.column("failed_logins", .integer).notNull().defaults(to: 0)
                table.column("locked_until_ms", .integer)
                table.column("created_ms", .integer).notNull()
            }
            try db.create(table: "account_group") { table in
                table.column("account_id", .integer).notNull().references("account", onDelete: .cascade)
                table.column("group_name", .text).notNull()
                table.primaryKey(["account_id", "group_name"])
            }
            try db.create(table: "session") { table in
                table.column("token_hash", .text).primaryKey()
                table.column("account_id", .integer).notNull().references("account", onDelete: .cascade)
                table.column("csrf_token", .text).notNull()
                table.column("created_ms", .integer).notNull()
                table.column("expires_ms", .integer).notNull()
                table.column("address", .text).notNull()
            }
            try db.create(table: "api_token") { table in
                table.column("token_hash", .text).primaryKey()
                table.column("account_id", .integer).notNull().references("account", onDelete: .cascade)
                table.column("label", .text).notNull()
                table.column("created_ms", .integer).notNull()
            }
            try db.create(table: "audit_event") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("at_ms", .integer).notNull()
                table.column("actor", .text).notNull()
                table.column("action", .text).notNull()
                table.column("subject", .text).notNull()
                table.column("address", .text).notNull()
                table.column("detail", .text).notNull()
            }
        }
        migrateAssets(&migrator)
        migrateScreens(&migrator)
        migrateTOTP(&migrator)
        migrateProgrammes(&migrator)
        migrateReleases(&migrator)
        migrateReleaseSignatures(&migrator)
        migrateGroupApprovers(&migrator)
        migrateDeviceStatus(&migrator)
        migrateCommands(&migrator)
        migratePlayRecords(&migrator)
        migrateCommandBatches(&migrator)
        migrateTransparencyLog(&migrator)
        migrateAuditLookups(&migrator)
        migrateAlertIndex(&migrator)
        migrateDisplayVerification(&migrator)
        return migrator
    }
}
