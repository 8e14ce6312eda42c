import Foundation
import GRDB
import SignetCore

/// What a screen's device last reported, and the last request time accepted from it (its own
/// clock, which must only go forward).
public struct DeviceStatus: Sendable, Equatable {
    public let screen: String
    public let lastSeen: Instant
    public let lastTime: Int64
    /// The heartbeat's JSON body as the device sent it (validated).
    public let heartbeat: [UInt8]
    public let address: String
}

extension ServerStore {
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

    /// The enrolled device key of a screen.
    func deviceKey(screen: String) async throws -> PublicKey? {
        let text = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT public_key FROM device WHERE screen_id = ?", arguments: [screen])
        }
        return try text.map { try PublicKey(json: try JSONParser().parse(Array($0.utf8))) }
    }

    /// Saves statuses in transactions of a few hundred: a fleet's heartbeats of five seconds
    /// (thousands of rows) written in one took up to 0.4 s, and every acknowledgement arriving
    /// meanwhile waited for it.
    func saveDeviceStatuses(_ statuses: [DeviceStatus]) async throws {
        for start in stride(from: 0, to: statuses.count, by: 250) {
            let chunk = statuses[start..<min(start + 250, statuses.count)]
            try await database.write { db in
                let upsert = try db.cachedStatement(sql: """
                    INSERT INTO device_status (screen_id, last_seen_ms, last_time_ms, heartbeat, address) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(screen_id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms, last_time_ms = excluded.last_time_ms,
                      heartbeat = excluded.heartbeat, address = excluded.address
                    """)
                for status in chunk {
                    try upsert.execute(arguments: [status.screen, status.lastSeen.millisecondsSince1970, status.lastTime, Data(status.heartbeat),
                                                   status.address])
                }
            }
        }
    }

    func deviceStatus(screen: String) async throws -> DeviceStatus? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM device_status WHERE screen_id = ?", arguments: [screen]).map(Self.deviceStatus(from:))
        }
    }

    public func deviceStatuses() async throws -> [DeviceStatus] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM device_status ORDER BY screen_id").map(Self.deviceStatus(from:))
        }
    }

    static func deviceStatus(from row: Row) -> DeviceStatus {
        DeviceStatus(screen: row["screen_id"], lastSeen: Instant(millisecondsSince1970: row["last_seen_ms"]), lastTime: row["last_time_ms"],
                     heartbeat: Array(row["heartbeat"] as Data), address: row["address"])
    }
}
