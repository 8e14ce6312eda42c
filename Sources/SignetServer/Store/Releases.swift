import Foundation
import SignetCore

/// A proposed release: the exact targets metadata approvers are asked to sign.
public struct ReleaseProposal: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case open, superseded, published }

    public let id: Int64
    /// The targets role it is the next version of: `targets`, or a group's `group-NAME`.
    public let role: String
    public let programmeVersion: Int64
    public let targetsVersion: Int64
    /// Canonical JSON of the targets metadata's `signed` object: the bytes each approver signs.
    public let signedBytes: [UInt8]
    /// The exact programme document the release names (nil for proposals made before roles).
    public let programme: [UInt8]?
    public let createdBy: String
    public let createdAt: Instant
    public let state: State
}

extension ServerStore {

    /// Records a proposal; every earlier open proposal for the same role is superseded (approvers
    /// sign the newest).
    func propose(role: String, programmeVersion: Int64, programme: [UInt8], targetsVersion: Int64, signed: [UInt8],
                 by account: String, at now: Instant) async throws -> ReleaseProposal {
        try await database.write { db in
            try db.execute(sql: "UPDATE release_proposal SET state = 'superseded' WHERE state = 'open' AND role = ?", arguments: [role])
            let id = try db.insertReturningID(sql: """
                INSERT INTO release_proposal (role, programme_version, programme, targets_version, signed, created_by, created_ms, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'open')
                """, arguments: [role, programmeVersion, Data(programme), targetsVersion, Data(signed), account, now.millisecondsSince1970])
            return ReleaseProposal(id: id, role: role, programmeVersion: programmeVersion, targetsVersion: targetsVersion,
                                   signedBytes: signed, programme: programme, createdBy: account, createdAt: now, state: .open)
        }
    }

    public func proposals() async throws -> [ReleaseProposal] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT * FROM release_proposal ORDER BY id DESC LIMIT 100").map(Self.proposal(from:))
        }
    }

    public func proposal(id: Int64) async throws -> ReleaseProposal? {
        try await database.read { db in
            try db.fetchOne(sql: "SELECT * FROM release_proposal WHERE id = ?", arguments: [id]).map(Self.proposal(from:))
        }
    }

    static func proposal(from row: SQLRow) -> ReleaseProposal {
        ReleaseProposal(id: row["id"], role: row["role"], programmeVersion: row["programme_version"], targetsVersion: row["targets_version"],
                        signedBytes: Array(row["signed"] as Data), programme: (row["programme"] as Data?).map(Array.init),
                        createdBy: row["created_by"],
                        createdAt: Instant(millisecondsSince1970: row["created_ms"]),
                        state: ReleaseProposal.State(rawValue: row["state"]) ?? .superseded)
    }
}

/// An approver's signature over a proposal's `signed` bytes.
public struct ReleaseSignature: Sendable, Equatable {
    public let keyID: String
    public let signature: String
    public let account: String
    public let at: Instant
}

extension ServerStore {

    /// Adds a signature; false if this key signed the proposal already.
    func addSignature(proposalID: Int64, _ signature: ReleaseSignature) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO release_signature (proposal_id, key_id, sig, account, at_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [proposalID, signature.keyID, signature.signature, signature.account, signature.at.millisecondsSince1970]) == 1
        }
    }

    public func signatures(proposalID: Int64) async throws -> [ReleaseSignature] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT * FROM release_signature WHERE proposal_id = ? ORDER BY at_ms, key_id", arguments: [proposalID]).map {
                ReleaseSignature(keyID: $0["key_id"], signature: $0["sig"], account: $0["account"], at: Instant(millisecondsSince1970: $0["at_ms"]))
            }
        }
    }

    func markPublished(proposalID: Int64) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE release_proposal SET state = 'published' WHERE id = ?", arguments: [proposalID])
        }
    }

    /// A programme version's stored bytes, exactly as a release names them.
    public func programme(version: Int64) async throws -> [UInt8]? {
        try await database.read { db in
            try db.fetchOne(Data.self, sql: "SELECT document FROM programme_draft WHERE version = ?", arguments: [version]).map(Array.init)
        }
    }
}
