import Foundation
import Hummingbird
import HummingbirdBcrypt
import SignetCore
import SignetSystem

/// Signing in and out, the caller's own password and API tokens.
enum SessionRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/health") { _, _, _ in JSONBody.response(["status": "ok"]) }

        routes.on(.post, "/api/v1/session") { request, context, _ in
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["name", "password", "totp"])
            return try await services.signIn(name: try body.text("name"), password: try body.text("password", maxLength: 1024),
                                             totp: body["totp"] == nil ? nil : try body.text("totp", maxLength: 10),
                                             address: context.clientAddress)
        }

        routes.on(.get, "/api/v1/session") { _, _, principal in
            JSONBody.response(Self.describe(principal!))
        }

        routes.on(.delete, "/api/v1/session") { request, context, principal in
            if let token = request.cookies[GuardedRouter.sessionCookie]?.value {
                try await services.store.deleteSession(tokenHash: Secrets.hash(token))
            }
            try await services.audit(principal!.account.name, "session.end", principal!.account.name, context.clientAddress)
            var response = JSONBody.response(["signed_out": true])
            response.headers[.setCookie] = services.sessionCookie(value: "", maxAge: 0)
            return response
        }

        routes.on(.post, "/api/v1/me/password") { request, context, principal in
            let account = principal!.account
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["current", "new"])
            let current = try body.text("current", maxLength: 1024), new = try body.text("new", maxLength: 1024)
            guard new.count >= 12 else { throw APIError(.badRequest, "new: at least 12 characters") }
            guard new != current else { throw APIError(.badRequest, "new: must differ from the current password") }
            guard let credentials = try await services.store.credentials(name: account.name),
                  Bcrypt.verify(current, hash: credentials.passwordHash)
            else { throw APIError(.forbidden, "current: wrong password") }
            try await services.store.setPassword(accountID: account.id, hash: Bcrypt.hash(new, cost: UInt8(services.config.bcryptCost)))
            // Every other session of this account ends: a stolen cookie dies with the old password.
            let currentSession = request.cookies[GuardedRouter.sessionCookie].map { Secrets.hash($0.value) }
            try await services.store.deleteSessions(accountID: account.id, except: currentSession)
            try await services.audit(account.name, "password.change", account.name, context.clientAddress)
            return JSONBody.response(["changed": true])
        }

        routes.on(.post, "/api/v1/me/tokens") { request, context, principal in
            let account = principal!.account
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["label"])
            let label = try body.text("label", maxLength: 100)
            let token = Secrets.token()
            try await services.store.createAPIToken(tokenHash: Secrets.hash(token), accountID: account.id, label: label,
                                                    now: services.clock.now())
            try await services.audit(account.name, "token.create", label, context.clientAddress)
            return JSONBody.response(["token": .string(token), "label": .string(label),
                                      "note": "shown once; send it as Authorization: Bearer TOKEN"], status: .created)
        }
    }

    static func registerTOTP(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/me/totp") { _, context, principal in
            let account = principal!.account
            guard !account.hasTOTP else { throw APIError(.conflict, "an authenticator is enrolled already") }
            let secret = TimeBasedCodes.newSecret()
            try await services.store.setPendingTOTP(accountID: account.id, secret: secret)
            try await services.audit(account.name, "totp.begin", account.name, context.clientAddress)
            return JSONBody.response(["otpauth_url": .string(TimeBasedCodes.authenticatorURL(secret: secret, account: account.name)),
                                      "note": "add it to an authenticator app, then POST /api/v1/me/totp/confirm {\"code\": \"123456\"}"],
                                     status: .created)
        }

        routes.on(.post, "/api/v1/me/totp/confirm") { request, context, principal in
            let account = principal!.account
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["code"])
            guard let secret = try await services.store.pendingTOTP(accountID: account.id) else {
                throw APIError(.conflict, "no authenticator enrolment in progress (POST /api/v1/me/totp)")
            }
            guard let step = TimeBasedCodes.matchingStep(secret: secret, code: try body.text("code", maxLength: 10), now: services.clock.now()) else {
                throw APIError(.forbidden, "code: not the authenticator's current code")
            }
            try await services.store.activateTOTP(accountID: account.id, secret: secret, step: step)
            try await services.audit(account.name, "totp.enable", account.name, context.clientAddress)
            return JSONBody.response(["totp": "enabled"])
        }
    }

    static func describe(_ principal: Principal) -> JSONObject {
        var object: JSONObject = ["account": .object(describe(principal.account))]
        if case .session(let csrf) = principal.credential { object["csrf_token"] = .string(csrf) }
        return object
    }

    static func describe(_ account: Account) -> JSONObject {
        ["id": .integer(account.id), "name": .string(account.name), "role": .string(account.role.rawValue),
         "must_change_password": .bool(account.mustChangePassword), "groups": .array(account.groups.map(JSONValue.string))]
    }
}

extension Services {
    func signIn(name: String, password: String, totp: String?, address: String) async throws -> Response {
        let now = clock.now()
        guard await throttle.allow(address: address, now: now) else {
            try await audit(name, "session.throttled", name, address)
            var error = APIError(.tooManyRequests, "too many sign-in attempts from this address; wait a minute")
            error.headers[.retryAfter] = "60"
            throw error
        }
        let refusal = APIError(.unauthorized, "wrong name or password")
        guard let credentials = try await store.credentials(name: name) else {
            // Spend the same time as for a real account, so that timing does not reveal names.
            _ = Bcrypt.verify(password, hash: decoyHash)
            try await audit(name, "session.refused", name, address, ["reason": "unknown account"])
            throw refusal
        }
        let account = credentials.account
        if let locked = credentials.lockedUntil, locked > now.millisecondsSince1970 {
            try await audit(name, "session.refused", name, address, ["reason": "locked"])
            var error = APIError(.tooManyRequests, "this account is locked after repeated failed sign-ins; try again later")
            error.headers[.retryAfter] = String((locked - now.millisecondsSince1970 + 999) / 1000)
            throw error
        }
        guard Bcrypt.verify(password, hash: credentials.passwordHash) else {
            try await recordFailedSignIn(account, reason: "wrong password", address: address, now: now)
            throw refusal
        }
        if let secret = credentials.totpSecret {
            // The password was right; the second factor decides. A wrong or replayed code counts
            // as a failed sign-in.
            guard let totp else { throw APIError(.unauthorized, "a TOTP code is required for this account (field \"totp\")") }
            guard let step = TimeBasedCodes.matchingStep(secret: secret, code: totp, now: now),
                  try await store.useTOTPStep(accountID: account.id, step: step)
            else {
                try await recordFailedSignIn(account, reason: "wrong or reused TOTP code", address: address, now: now)
                throw APIError(.unauthorized, "wrong or already used TOTP code")
            }
        }
        try await store.recordSuccessfulLogin(accountID: account.id)
        let token = Secrets.token(), csrf = Secrets.token()
        let expires = now.adding(milliseconds: Int64(config.sessionHours) * 3_600_000)
        try await store.createSession(tokenHash: Secrets.hash(token), csrfToken: csrf, accountID: account.id, now: now,
                                      expires: expires, address: address)
        try await audit(name, "session.start", name, address)
        var body = SessionRoutes.describe(Principal(account: account, credential: .session(csrfToken: csrf)))
        body["expires"] = .string(expires.iso8601)
        var response = JSONBody.response(body)
        response.headers[.setCookie] = sessionCookie(value: token, maxAge: config.sessionHours * 3600)
        return response
    }

    /// Counts a failed sign-in towards lockout and audits it, and the lock when it falls.
    private func recordFailedSignIn(_ account: Account, reason: String, address: String, now: Instant) async throws {
        let lockUntil = now.adding(milliseconds: Int64(config.lockoutMinutes) * 60_000).millisecondsSince1970
        let locked = try await store.recordFailedLogin(accountID: account.id, limit: config.maxLoginFailures, lockUntil: lockUntil)
        try await audit(account.name, "session.refused", account.name, address, ["reason": .string(reason)])
        if locked { try await audit("signet", "account.lock", account.name, address, ["minutes": .integer(Int64(config.lockoutMinutes))]) }
    }

    /// HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure under TLS.
    func sessionCookie(value: String, maxAge: Int) -> String {
        "\(GuardedRouter.sessionCookie)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (config.secureCookies ? "; Secure" : "")
    }
}
