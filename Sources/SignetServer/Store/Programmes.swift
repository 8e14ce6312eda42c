import Foundation
import SignetCore

/// The programme being edited: one document for the whole network, versioned on every save.
public struct ProgrammeDraft: Sendable, Equatable {
    public let version: Int64
    /// Canonical JSON of the full document (screens and assets as the server completed them).
    public let document: [UInt8]
    public let updatedBy: String
    public let updatedAt: Instant
}

extension ServerStore {

    /// Saves a new version if `expectedVersion` is still the latest (else nil: someone saved first).
    func saveProgramme(_ document: [UInt8], expectedVersion: Int64?, by account: String, at now: Instant) async throws -> Int64? {
        try await database.write { db in
            let latest = try db.fetchOne(Int64.self, sql: "SELECT MAX(version) FROM programme_draft") ?? 0
            if let expectedVersion, expectedVersion != latest { return nil }
            try db.execute(sql: "INSERT INTO programme_draft (version, document, updated_by, updated_ms) VALUES (?, ?, ?, ?)",
                           arguments: [latest + 1, Data(document), account, now.millisecondsSince1970])
            return latest + 1
        }
    }

    public func latestProgramme() async throws -> ProgrammeDraft? {
        try await database.read { db in
            try db.fetchOne(sql: "SELECT * FROM programme_draft ORDER BY version DESC LIMIT 1").map { row in
                ProgrammeDraft(version: row["version"], document: Array(row["document"] as Data), updatedBy: row["updated_by"],
                               updatedAt: Instant(millisecondsSince1970: row["updated_ms"]))
            }
        }
    }
}
