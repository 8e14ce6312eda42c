import SignetCore

/// An uploaded image, stored once under its sha256.
public struct StoredAsset: Sendable, Equatable {
    public let sha256: String
    public let kind: String
    public let width: Int
    public let height: Int
    public let bytes: Int64
    /// A label for people; never used as a path or a type.
    public let name: String
    public let uploadedBy: String
    public let uploadedAt: Instant
}

extension ServerStore {

    /// Records an asset; false if one with this hash was there already (the upload deduplicates).
    func insertAsset(_ asset: StoredAsset) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO asset (sha256, kind, width, height, bytes, name, uploaded_by, uploaded_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, arguments: [asset.sha256, asset.kind, asset.width, asset.height, asset.bytes, asset.name, asset.uploadedBy,
                                 asset.uploadedAt.millisecondsSince1970]) == 1
        }
    }

    public func assets() async throws -> [StoredAsset] {
        try await database.read { db in try db.fetchAll(sql: "SELECT * FROM asset ORDER BY uploaded_ms, sha256").map(Self.asset(from:)) }
    }

    public func asset(sha256: String) async throws -> StoredAsset? {
        try await database.read { db in
            try db.fetchOne(sql: "SELECT * FROM asset WHERE sha256 = ?", arguments: [sha256]).map(Self.asset(from:))
        }
    }

    static func asset(from row: SQLRow) -> StoredAsset {
        StoredAsset(sha256: row["sha256"], kind: row["kind"], width: row["width"], height: row["height"], bytes: row["bytes"],
                    name: row["name"], uploadedBy: row["uploaded_by"], uploadedAt: Instant(millisecondsSince1970: row["uploaded_ms"]))
    }
}
