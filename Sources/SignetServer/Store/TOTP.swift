import SignetCore

extension ServerStore {

    func setPendingTOTP(accountID: Int64, secret: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE account SET totp_pending_secret = ? WHERE id = ?", arguments: [secret, accountID])
        }
    }

    func pendingTOTP(accountID: Int64) async throws -> String? {
        try await database.read { db in
            try db.fetchOne(String.self, sql: "SELECT totp_pending_secret FROM account WHERE id = ?", arguments: [accountID])
        }
    }

    func activateTOTP(accountID: Int64, secret: String, step: Int64) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE account SET totp_secret = ?, totp_pending_secret = NULL, totp_last_step = ? WHERE id = ?",
                           arguments: [secret, step, accountID])
        }
    }

    /// Records that the code of `step` was used; false if that step or a later one was used before
    /// (a replayed code).
    func useTOTPStep(accountID: Int64, step: Int64) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE account SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                           arguments: [step, accountID, step]) == 1
        }
    }
}
