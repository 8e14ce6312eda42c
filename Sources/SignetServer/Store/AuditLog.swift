import SignetCore

/// One state change or security event: who, what, to what, when, from where.
public struct AuditEvent: Sendable, Equatable {
    public let id: Int64
    public let at: Instant
    public let actor: String
    public let action: String
    public let subject: String
    public let address: String
    /// Canonical JSON of the details.
    public let detail: String
    /// Its entry in the transparency log.
    public let logIndex: Int64?
}

extension ServerStore {
    public func audit(at: Instant, actor: String, action: String, subject: String, address: String,
                      detail: JSONObject = JSONObject()) async throws {
        try await audit([LoggedEvent(at: at, actor: actor, action: action, subject: subject, address: address, detail: detail)])
    }

    /// Many events in one transaction (a fleet's alerts at once), each also an entry of the
    /// transparency log.
    public func audit(_ events: [LoggedEvent]) async throws {
        guard !events.isEmpty else { return }
        // Encoded by the caller, not in the one writer's transaction.
        let encoded = events.map(EncodedEvent.init)
        try await database.write { db in try Self.record(encoded, db) }
    }

    public func auditEvents(after id: Int64 = 0, limit: Int = 500) async throws -> [AuditEvent] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT * FROM audit_event WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit]).map(Self.auditEvent)
        }
    }

    /// The newest `limit` events, newest first.
    public func latestAuditEvents(limit: Int) async throws -> [AuditEvent] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT * FROM audit_event ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.auditEvent)
        }
    }

    /// Alerts (actions `alert.*`) have an index of their own rows: the console's alerts view reads
    /// the newest without walking past every proof of play.
    static let alertCondition = "action >= 'alert.' AND action < 'alert/'"


    /// The newest `limit` alerts, newest first.
    public func latestAlerts(limit: Int) async throws -> [AuditEvent] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT * FROM audit_event WHERE \(Self.alertCondition) ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map(Self.auditEvent)
        }
    }

    static func auditEvent(_ row: SQLRow) -> AuditEvent {
        AuditEvent(id: row["id"], at: Instant(millisecondsSince1970: row["at_ms"]), actor: row["actor"], action: row["action"],
                   subject: row["subject"], address: row["address"], detail: row["detail"], logIndex: row["log_index"])
    }
}
