import Foundation
import GRDB
import SignetCore

/// SQLite's schema, as GRDB migrations in the order they were first applied (a database records
/// which it has). PostgreSQL starts from their result (`PostgresSchema`).
extension ServerStore {
    static var sqliteMigrator: DatabaseMigrator {
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

    static func migrateAssets(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2: assets") { db in
            try db.create(table: "asset") { table in
                table.column("sha256", .text).primaryKey()
                table.column("kind", .text).notNull()
                table.column("width", .integer).notNull()
                table.column("height", .integer).notNull()
                table.column("bytes", .integer).notNull()
                table.column("name", .text).notNull()
                table.column("uploaded_by", .text).notNull()
                table.column("uploaded_ms", .integer).notNull()
            }
        }
    }
    static func migrateAlertIndex(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("16: alerts") { db in
            try db.execute(sql: "CREATE INDEX audit_alerts ON audit_event (id) WHERE \(alertCondition)")
        }
    }
    static func migrateCommands(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("10: commands") { db in
            try db.create(table: "command_sequence") { table in
                table.column("screen_id", .text).primaryKey().references("screen", onDelete: .cascade)
                table.column("last_sequence", .integer).notNull()
            }
            try db.create(table: "command") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("screen_id", .text).notNull().references("screen", onDelete: .cascade).indexed()
                table.column("sequence", .integer).notNull()
                table.column("action", .text).notNull()
                table.column("signed", .blob).notNull()
                table.column("issued_by", .text).notNull()
                table.column("issued_ms", .integer).notNull()
                table.column("expires_ms", .integer).notNull()
                table.column("acked_ms", .integer)
                table.column("result", .text)
            }
        }
    }
    static func migrateCommandBatches(_ migrator: inout DatabaseMigrator) {
        // A fan-out is one signed batch: its rows name the batch and their leaf's place; the batch
        // row keeps the signed batch, every command's canonical JSON and every leaf hash, from
        // which a screen's document is made again when it reconnects or polls.
        migrator.registerMigration("12: command batches") { db in
            try db.create(table: "command_batch") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("signed", .blob).notNull()
                table.column("leaf_hashes", .blob).notNull()
                table.column("leaves", .blob).notNull()
            }
            try db.alter(table: "command") { table in
                table.add(column: "batch_id", .integer).references("command_batch")
                table.add(column: "leaf_index", .integer)
            }
        }
        // Only pending commands are looked up by screen. An index of every command by screen took
        // each fan-out's inserts to as many random pages as the index had (the fan-outs slowed
        // steadily); this one holds only what waits for an acknowledgement.
        migrator.registerMigration("13: index pending commands only") { db in
            try db.execute(sql: "DROP INDEX command_on_screen_id")
            try db.execute(sql: "CREATE INDEX command_pending ON command (screen_id, sequence) WHERE acked_ms IS NULL")
        }
    }
    static func migrateDeviceStatus(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("9: device status") { db in
            try db.create(table: "device_status") { table in
                table.column("screen_id", .text).primaryKey().references("screen", onDelete: .cascade)
                table.column("last_seen_ms", .integer).notNull()
                table.column("last_time_ms", .integer).notNull()
                table.column("heartbeat", .blob).notNull()
                table.column("address", .text).notNull()
            }
        }
    }
    static func migrateAuditLookups(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("15: log entries that forensics cites") { db in
            for action in citedActions {
                try db.execute(sql: """
                    CREATE INDEX "audit_\(action)" ON audit_event (subject, at_ms) WHERE action = '\(action)'
                    """)
            }
            try db.execute(sql: "ALTER TABLE play_batch ADD COLUMN log_index INTEGER")
            try db.execute(sql: """
                UPDATE play_batch SET log_index = (SELECT log_index FROM audit_event
                    WHERE action = 'play.batch' AND subject = play_batch.screen_id AND at_ms = play_batch.received_ms ORDER BY id LIMIT 1)
                """)
        }
    }
    static func migrateGroupApprovers(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("8: group approvers, release roles") { db in
            try db.create(table: "group_approvers") { table in
                table.column("group_name", .text).primaryKey()
                table.column("keys", .blob).notNull()
                table.column("threshold", .integer).notNull()
                table.column("updated_by", .text).notNull()
                table.column("updated_ms", .integer).notNull()
            }
            try db.alter(table: "release_proposal") { table in
                table.add(column: "role", .text).notNull().defaults(to: Targets.type)
                // The exact programme document the release names (a group's part of the programme).
                table.add(column: "programme", .blob)
            }
        }
    }
    static func migratePlayRecords(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("11: proof of play") { db in
            try db.create(table: "play_batch") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("screen_id", .text).notNull().references("screen", onDelete: .cascade)
                table.column("key_id", .text).notNull()
                table.column("public_key", .text).notNull()
                table.column("received_ms", .integer).notNull()
                table.column("signed", .blob).notNull()
            }
            try db.create(table: "play_record") { table in
                table.column("screen_id", .text).notNull().references("screen", onDelete: .cascade)
                table.column("key_id", .text).notNull()
                table.column("sequence", .integer).notNull()
                table.column("hash", .text).notNull()
                table.column("previous", .text).notNull()
                table.column("mode", .text).notNull()
                table.column("slide", .text)
                table.column("release", .integer)
                table.column("start_ms", .integer).notNull()
                table.column("end_ms", .integer).notNull()
                table.column("fingerprint", .text)
                table.column("batch_id", .integer).notNull().references("play_batch")
                table.primaryKey(["screen_id", "key_id", "sequence"])
            }
            try db.create(index: "play_record_time", on: "play_record", columns: ["screen_id", "start_ms"])
        }
    }
    static func migrateDisplayVerification(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("17: display verification in proofs of play") { db in
            try db.alter(table: "play_record") { table in
                table.add(column: "expected", .text)
                table.add(column: "capture", .text)
                table.add(column: "captured", .text)
                table.add(column: "contained", .text)
            }
        }
    }
    static func migrateProgrammes(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("5: programme drafts") { db in
            try db.create(table: "programme_draft") { table in
                table.column("version", .integer).primaryKey()
                table.column("document", .blob).notNull()
                table.column("updated_by", .text).notNull()
                table.column("updated_ms", .integer).notNull()
            }
        }
    }
    static func migrateReleases(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("6: release proposals") { db in
            try db.create(table: "release_proposal") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("programme_version", .integer).notNull()
                table.column("targets_version", .integer).notNull()
                table.column("signed", .blob).notNull()
                table.column("created_by", .text).notNull()
                table.column("created_ms", .integer).notNull()
                table.column("state", .text).notNull()
            }
        }
    }
    static func migrateReleaseSignatures(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("7: release signatures") { db in
            try db.create(table: "release_signature") { table in
                table.column("proposal_id", .integer).notNull().references("release_proposal", onDelete: .cascade)
                table.column("key_id", .text).notNull()
                table.column("sig", .text).notNull()
                table.column("account", .text).notNull()
                table.column("at_ms", .integer).notNull()
                table.primaryKey(["proposal_id", "key_id"])
            }
        }
    }
    static func migrateScreens(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("3: screens, groups, enrollment, devices") { db in
            try db.create(table: "screen") { table in
                table.column("id", .text).primaryKey()
                table.column("name", .text).notNull()
                table.column("width", .integer).notNull()
                table.column("height", .integer).notNull()
                table.column("time_zone", .text).notNull()
                table.column("created_ms", .integer).notNull()
            }
            try db.create(table: "screen_group") { table in
                table.column("screen_id", .text).notNull().references("screen", onDelete: .cascade)
                table.column("group_name", .text).notNull()
                table.primaryKey(["screen_id", "group_name"])
            }
            try db.create(table: "enrollment") { table in
                table.column("token_hash", .text).primaryKey()
                table.column("screen_id", .text).notNull().references("screen", onDelete: .cascade)
                table.column("created_by", .text).notNull()
                table.column("expires_ms", .integer).notNull()
            }
            try db.create(table: "device") { table in
                table.column("screen_id", .text).primaryKey().references("screen", onDelete: .cascade)
                table.column("key_id", .text).notNull().unique()
                table.column("public_key", .text).notNull()
                table.column("enrolled_ms", .integer).notNull()
                table.column("address", .text).notNull()
            }
        }
    }
    static func migrateTOTP(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("4: TOTP enrolment and replay guard") { db in
            try db.alter(table: "account") { table in
                table.add(column: "totp_pending_secret", .text)
                table.add(column: "totp_last_step", .integer).notNull().defaults(to: 0)
            }
        }
    }
    static func migrateTransparencyLog(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("14: transparency log") { db in
            try db.execute(sql: """
                CREATE TABLE log_entry (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL);
                CREATE TABLE log_hash (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
                CREATE TABLE log_checkpoint (size INTEGER PRIMARY KEY, note TEXT NOT NULL, signed_ms INTEGER NOT NULL);
                ALTER TABLE audit_event ADD COLUMN log_index INTEGER;
                """)
            // Events recorded before there was a log go into it first, in their order.
            let earlier = try Row.fetchAll(db, sql: "SELECT * FROM audit_event ORDER BY id")
            let first = try appendToLog(earlier.map { row in
                LoggedEvent(at: Instant(millisecondsSince1970: row["at_ms"]), actor: row["actor"], action: row["action"], subject: row["subject"],
                         address: row["address"], detail: (try? JSONParser().parse(Array((row["detail"] as String).utf8)).objectValue) ?? [:]).entry
            }, SQLiteConnection(db: db))
            let update = try db.cachedStatement(sql: "UPDATE audit_event SET log_index = ? WHERE id = ?")
            for (offset, row) in earlier.enumerated() { try update.execute(arguments: [first + Int64(offset), row["id"] as Int64]) }
        }
    }
}
