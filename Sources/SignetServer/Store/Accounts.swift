import HummingbirdBcrypt
import SignetCore

public struct Account: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let role: Role
    public let mustChangePassword: Bool
    public let hasTOTP: Bool
    /// The screen groups this account is limited to; empty means every group.
    public var groups: [String] = []

    /// Whether the account may act on a screen in `screenGroups`.
    public func covers(_ screenGroups: [String]) -> Bool { groups.isEmpty || screenGroups.contains { groups.contains($0) } }
}

/// An account's row with what login needs to check.
struct AccountCredentials: Sendable {
    let account: Account
    let passwordHash: String
    let totpSecret: String?
    let failedLogins: Int
    let lockedUntil: Int64?
}

extension ServerStore {
    /// An account's columns and its groups (comma-joined), for every query that loads an account.
    static let accountColumns = """
        account.*, (SELECT group_concat(group_name, ',') FROM (SELECT group_name FROM account_group
                    WHERE account_id = account.id ORDER BY group_name) AS ordered) AS account_groups
        """

    static func account(from row: SQLRow) -> Account {
        Account(id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .viewer,
                mustChangePassword: row["must_change_password"], hasTOTP: (row["totp_secret"] as String?) != nil,
                groups: ((row["account_groups"] as String?) ?? "").split(separator: ",").map(String.init))
    }

    public func createAccount(name: String, role: Role, passwordHash: String, mustChangePassword: Bool, groups: [String] = [],
                              at now: Instant) async throws -> Account? {
        try await database.write { db in
            // Nil when the name is taken.
            guard let id = try db.fetchOne(Int64.self, sql: """
                INSERT INTO account (name, role, password_hash, must_change_password, created_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, arguments: [name, role.rawValue, passwordHash, mustChangePassword, now.millisecondsSince1970])
            else { return nil }
            for group in groups {
                try db.execute(sql: "INSERT INTO account_group (account_id, group_name) VALUES (?, ?)", arguments: [id, group])
            }
            return Account(id: id, name: name, role: role, mustChangePassword: mustChangePassword, hasTOTP: false, groups: groups.sorted())
        }
    }

    public func accounts() async throws -> [Account] {
        try await database.read { db in
            try db.fetchAll(sql: "SELECT \(Self.accountColumns) FROM account ORDER BY name").map(Self.account(from:))
        }
    }

    public func account(id: Int64) async throws -> Account? {
        try await database.read { db in
            try db.fetchOne(sql: "SELECT \(Self.accountColumns) FROM account WHERE id = ?", arguments: [id]).map(Self.account(from:))
        }
    }

    func credentials(name: String) async throws -> AccountCredentials? {
        try await database.read { db in
            try db.fetchOne(sql: "SELECT \(Self.accountColumns) FROM account WHERE name = ?", arguments: [name]).map { row in
                AccountCredentials(account: Self.account(from: row), passwordHash: row["password_hash"], totpSecret: row["totp_secret"],
                                   failedLogins: row["failed_logins"], lockedUntil: row["locked_until_ms"])
            }
        }
    }

    /// Counts a failed login; at `limit` failures the account locks until `lockUntil`.
    func recordFailedLogin(accountID: Int64, limit: Int, lockUntil: Int64) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE account SET failed_logins = failed_logins + 1 WHERE id = ?", arguments: [accountID])
            let failures = try db.fetchOne(Int.self, sql: "SELECT failed_logins FROM account WHERE id = ?", arguments: [accountID]) ?? 0
            guard failures >= limit else { return false }
            try db.execute(sql: "UPDATE account SET failed_logins = 0, locked_until_ms = ? WHERE id = ?", arguments: [lockUntil, accountID])
            return true
        }
    }

    func recordSuccessfulLogin(accountID: Int64) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE account SET failed_logins = 0, locked_until_ms = NULL WHERE id = ?", arguments: [accountID])
        }
    }

    func setPassword(accountID: Int64, hash: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE account SET password_hash = ?, must_change_password = 0 WHERE id = ?", arguments: [hash, accountID])
        }
    }

    public func accountCount() async throws -> Int {
        try await database.read { db in try db.fetchOne(Int.self, sql: "SELECT COUNT(*) FROM account") ?? 0 }
    }
}

extension ServerStore {
    /// The first account of a new server: an admin whose one-time password the caller shows once.
    /// A password's bcrypt hash, as accounts store it.
    public static func hashPassword(_ password: String, cost: Int) -> String { Bcrypt.hash(password, cost: UInt8(cost)) }

    public func createFirstAdmin(name: String, cost: Int, at now: Instant) async throws -> String {
        guard try await accountCount() == 0 else { throw ConfigError("this server already has accounts") }
        let password = Secrets.oneTimePassword()
        _ = try await createAccount(name: name, role: .admin, passwordHash: Bcrypt.hash(password, cost: UInt8(cost)),
                                    mustChangePassword: true, at: now)
        try await audit(at: now, actor: "signet server init", action: "account.create", subject: name, address: "local",
                        detail: ["role": "admin"])
        return password
    }
}
