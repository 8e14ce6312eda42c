import Foundation
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
        let rows = try await database.read { db in try db.fetchAll(sql: "SELECT * FROM group_approvers ORDER BY group_name") }
        return try rows.map { row in
            let keys = try JSONParser().parse(Array(row["keys"] as Data)).arrayValue ?? []
            return GroupApprovers(group: row["group_name"], keys: try keys.map { try PublicKey(json: $0) }, threshold: row["threshold"],
                                  updatedBy: row["updated_by"], updatedAt: Instant(millisecondsSince1970: row["updated_ms"]))
        }
    }
}
