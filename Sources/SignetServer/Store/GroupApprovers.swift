import Foundation
import GRDB
import SignetCore

/// A screen group's own approvers, as an admin registered them. They take effect only when the
/// network's approvers sign a top-level release that delegates the group to these keys.
public struct GroupApprovers: Sendable, Equatable {
    public let group: String
    public let keys: [PublicKey]
    public let threshold: Int64
    public let updatedBy: String
    public let updatedAt: Instant

    public var delegatedRole: DelegatedRole {
        ReleaseScope.delegatedRole(group: group, keyIDs: keys.map(\.keyID).sorted(), threshold: threshold)
    }
}

extension ServerStore {
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

    public func setGroupApprovers(group: String, keys: [PublicKey], threshold: Int64, by account: String, at now: Instant) async throws {
        let encoded = JSONWriter.compact.encode(.array(keys.map(\.json).map(JSONValue.object)))
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO group_approvers (group_name, keys, threshold, updated_by, updated_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(group_name) DO UPDATE SET keys = excluded.keys, threshold = excluded.threshold,
                  updated_by = excluded.updated_by, updated_ms = excluded.updated_ms
                """, arguments: [group, Data(encoded), threshold, account, now.millisecondsSince1970])
        }
    }

    public func groupApprovers() async throws -> [GroupApprovers] {
        let rows = try await database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM group_approvers ORDER BY group_name") }
        return try rows.map { row in
            let keys = try JSONParser().parse(Array(row["keys"] as Data)).arrayValue ?? []
            return GroupApprovers(group: row["group_name"], keys: try keys.map { try PublicKey(json: $0) }, threshold: row["threshold"],
                                  updatedBy: row["updated_by"], updatedAt: Instant(millisecondsSince1970: row["updated_ms"]))
        }
    }
}
