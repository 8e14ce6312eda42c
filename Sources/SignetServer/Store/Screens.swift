import SignetCore

/// A screen the server manages, and the device bound to it (if enrolled).
public struct ScreenRecord: Sendable, Equatable {
    public let id: String
    public let name: String
    public let width: Int
    public let height: Int
    public let timeZone: String
    public let groups: [String]
    /// The enrolled device's key id, if any.
    public let deviceKeyID: String?
}

extension ServerStore {

    public func createScreen(id: String, name: String, width: Int, height: Int, timeZone: String, groups: [String],
                             at now: Instant) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO screen (id, name, width, height, time_zone, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, name, width, height, timeZone, now.millisecondsSince1970])
            for group in groups {
                try db.execute(sql: "INSERT INTO screen_group (screen_id, group_name) VALUES (?, ?)", arguments: [id, group])
            }
        }
    }

    static let screenSelect = """
        SELECT screen.*, device.key_id,
               (SELECT group_concat(group_name, ',') FROM (SELECT group_name FROM screen_group
                WHERE screen_id = screen.id ORDER BY group_name) AS ordered) AS groups
        FROM screen LEFT JOIN device ON device.screen_id = screen.id
        """

    static func screenRecord(_ row: SQLRow) -> ScreenRecord {
        ScreenRecord(id: row["id"], name: row["name"], width: row["width"], height: row["height"], timeZone: row["time_zone"],
                     groups: ((row["groups"] as String?) ?? "").split(separator: ",").map(String.init), deviceKeyID: row["key_id"])
    }

    public func screens() async throws -> [ScreenRecord] {
        try await database.read { db in
            try db.fetchAll(sql: Self.screenSelect + " ORDER BY screen.id").map(Self.screenRecord)
        }
    }

    /// Every screen's id and groups: what choosing a command's targets needs, without the rest.
    func screenGroups() async throws -> [(id: String, groups: [String])] {
        try await database.read { db in
            try db.fetchAll(sql: """
                SELECT screen.id, (SELECT group_concat(group_name, ',') FROM screen_group WHERE screen_id = screen.id) AS groups
                FROM screen ORDER BY screen.id
                """).map { (id: $0["id"], groups: (($0["groups"] as String?) ?? "").split(separator: ",").map(String.init)) }
        }
    }

    /// One screen (a per-request lookup must not read the whole fleet).
    public func screen(id: String) async throws -> ScreenRecord? {
        try await database.read { db in
            try db.fetchOne(sql: Self.screenSelect + " WHERE screen.id = ?", arguments: [id]).map(Self.screenRecord)
        }
    }

    public func screenExists(_ id: String) async throws -> Bool {
        try await database.read { db in try db.fetchOne(Bool.self, sql: "SELECT 1 FROM screen WHERE id = ?", arguments: [id]) ?? false }
    }

    /// A new one-time enrollment token for a screen; earlier unused ones for it stop working.
    func createEnrollment(tokenHash: String, screenID: String, createdBy: String, expires: Instant) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM enrollment WHERE screen_id = ?", arguments: [screenID])
            try db.execute(sql: "INSERT INTO enrollment (token_hash, screen_id, created_by, expires_ms) VALUES (?, ?, ?, ?)",
                           arguments: [tokenHash, screenID, createdBy, expires.millisecondsSince1970])
        }
    }

    /// Spends an enrollment token and binds the device key to its screen, in one transaction:
    /// the screen, and the key id it replaced; nil if the token is unknown, spent or expired.
    func enroll(tokenHash: String, key: PublicKey, now: Instant, address: String) async throws -> (screen: String, replaced: String?)? {
        let keyText = String(decoding: CanonicalJSON.encode(.object(key.json)), as: UTF8.self)
        return try await database.write { db in
            guard let screen = try db.fetchOne(String.self, sql: "SELECT screen_id FROM enrollment WHERE token_hash = ? AND expires_ms > ?",
                                                   arguments: [tokenHash, now.millisecondsSince1970])
            else { return nil }
            try db.execute(sql: "DELETE FROM enrollment WHERE token_hash = ?", arguments: [tokenHash])
            let replaced = try db.fetchOne(String.self, sql: "SELECT key_id FROM device WHERE screen_id = ?", arguments: [screen])
            try db.execute(sql: "DELETE FROM device WHERE screen_id = ? OR key_id = ?", arguments: [screen, key.keyID])
            try db.execute(sql: "INSERT INTO device (screen_id, key_id, public_key, enrolled_ms, address) VALUES (?, ?, ?, ?, ?)",
                           arguments: [screen, key.keyID, keyText, now.millisecondsSince1970, address])
            return (screen, replaced)
        }
    }
}
