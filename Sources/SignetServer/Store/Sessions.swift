import SignetCore

/// Who is asking: an account, signed in by a browser session (which needs a CSRF token on every
/// change) or by an API token (which does not: browsers never send it on their own).
public struct Principal: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        case session(csrfToken: String)
        case apiToken
    }

    public let account: Account
    public let credential: Credential
}

extension ServerStore {
    func createSession(tokenHash: String, csrfToken: String, accountID: Int64, now: Instant, expires: Instant,
                       address: String) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expires_ms <= ?", arguments: [now.millisecondsSince1970])
            try db.execute(sql: """
                INSERT INTO session (token_hash, account_id, csrf_token, created_ms, expires_ms, address) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [tokenHash, accountID, csrfToken, now.millisecondsSince1970, expires.millisecondsSince1970, address])
        }
    }

    func session(tokenHash: String, now: Instant) async throws -> Principal? {
        try await database.read { db in
            guard let row = try db.fetchOne(sql: """
                SELECT \(Self.accountColumns), session.csrf_token FROM session JOIN account ON account.id = session.account_id
                WHERE session.token_hash = ? AND session.expires_ms > ?
                """, arguments: [tokenHash, now.millisecondsSince1970])
            else { return nil }
            return Principal(account: Self.account(from: row), credential: .session(csrfToken: row["csrf_token"]))
        }
    }

    func deleteSession(tokenHash: String) async throws {
        try await database.write { db in try db.execute(sql: "DELETE FROM session WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    func deleteSessions(accountID: Int64, except tokenHash: String?) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM session WHERE account_id = ? AND (CAST(? AS TEXT) IS NULL OR token_hash <> ?)",
                           arguments: [accountID, tokenHash, tokenHash])
        }
    }

    /// A new API token for an account (setup and demos; people make theirs with POST /api/v1/me/tokens).
    /// Only its hash is stored; the token is returned once.
    public func issueAPIToken(accountID: Int64, label: String, at now: Instant) async throws -> String {
        let token = Secrets.token()
        try await createAPIToken(tokenHash: Secrets.hash(token), accountID: accountID, label: label, now: now)
        return token
    }

    /// A new account that signs in with an API token only (benchmarks, the demo's actors): the token.
    public func createAccountWithAPIToken(name: String, role: Role, passwordHash: String, label: String, at now: Instant) async throws -> String {
        guard let account = try await createAccount(name: name, role: role, passwordHash: passwordHash, mustChangePassword: false, at: now) else {
            throw StoreError("an account named \(name) exists")
        }
        return try await issueAPIToken(accountID: account.id, label: label, at: now)
    }

    func createAPIToken(tokenHash: String, accountID: Int64, label: String, now: Instant) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO api_token (token_hash, account_id, label, created_ms) VALUES (?, ?, ?, ?)",
                           arguments: [tokenHash, accountID, label, now.millisecondsSince1970])
        }
    }

    func apiToken(tokenHash: String) async throws -> Principal? {
        try await database.read { db in
            try db.fetchOne(sql: """
                SELECT \(Self.accountColumns) FROM api_token JOIN account ON account.id = api_token.account_id WHERE api_token.token_hash = ?
                """, arguments: [tokenHash]).map { Principal(account: Self.account(from: $0), credential: .apiToken) }
        }
    }
}
