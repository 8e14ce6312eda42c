import Foundation
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

    /// The enrolled device key of a screen.
    func deviceKey(screen: String) async throws -> PublicKey? {
        let text = try await database.read { db in
            try db.fetchOne(String.self, sql: "SELECT public_key FROM device WHERE screen_id = ?", arguments: [screen])
        }
        return try text.map { try PublicKey(json: try JSONParser().parse(Array($0.utf8))) }
    }

    /// Saves statuses in transactions of a few hundred: a fleet's heartbeats of five seconds
    /// (thousands of rows) written in one took up to 0.4 s, and every acknowledgement arriving
    /// meanwhile waited for it.
    func saveDeviceStatuses(_ statuses: [DeviceStatus]) async throws {
        for start in stride(from: 0, to: statuses.count, by: 250) {
            let chunk = statuses[start..<min(start + 250, statuses.count)]
            // One statement of many rows: on PostgreSQL each statement is a round trip.
            var arguments: SQLArguments = []
            for status in chunk {
                arguments.values += [.text(status.screen), .integer(status.lastSeen.millisecondsSince1970), .integer(status.lastTime),
                                     .blob(status.heartbeat), .text(status.address)]
            }
            let sql = """
                INSERT INTO device_status (screen_id, last_seen_ms, last_time_ms, heartbeat, address)
                VALUES \(Array(repeating: "(?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
                ON CONFLICT(screen_id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms, last_time_ms = excluded.last_time_ms,
                  heartbeat = excluded.heartbeat, address = excluded.address
                """
            try await database.write { [arguments] db in try db.execute(sql: sql, arguments: arguments) }
        }
    }

    func deviceStatus(screen: String) async throws -> DeviceStatus? {
        try await database.read { db in
            try db.fetchOne(sql: "SELECT * FROM device_status WHERE screen_id = ?", arguments: [screen]).map(Self.deviceStatus(from:))
        }
    }

    public func deviceStatuses() async throws -> [DeviceStatus] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT * FROM device_status ORDER BY screen_id").map(Self.deviceStatus(from:))
        }
    }

    static func deviceStatus(from row: SQLRow) -> DeviceStatus {
        DeviceStatus(screen: row["screen_id"], lastSeen: Instant(millisecondsSince1970: row["last_seen_ms"]), lastTime: row["last_time_ms"],
                     heartbeat: Array(row["heartbeat"] as Data), address: row["address"])
    }
}
