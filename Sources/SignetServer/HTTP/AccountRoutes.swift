import Hummingbird
import HummingbirdBcrypt
import SignetCore
import SignetSystem

/// Accounts (admins only) and the audit trail.
enum AccountRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/api/v1/accounts") { _, _, _ in
            let accounts = try await services.store.accounts()
            return JSONBody.response(["accounts": .array(accounts.map { .object(SessionRoutes.describe($0)) })])
        }

        routes.on(.post, "/api/v1/accounts") { request, context, principal in
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["name", "role", "groups"])
            let name = try body.text("name", maxLength: 64)
            guard name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.@".unicodeScalars.contains($0) }) else {
                throw APIError(.badRequest, "name: letters, digits and - _ . @ only")
            }
            guard let role = Role(rawValue: try body.text("role")) else {
                throw APIError(.badRequest, "role: one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let groups = try body.groupNames()
            let created = try await services.createAccount(name: name, role: role, groups: groups, actor: principal!.account.name,
                                                           address: context.clientAddress)
            var object = SessionRoutes.describe(created.account)
            object["one_time_password"] = .string(created.password)
            return JSONBody.response(object, status: .created)
        }

        routes.on(.get, "/api/v1/audit") { request, _, _ in
            let events: [AuditEvent]
            if let text = request.uri.queryParameters["latest"] {
                guard let latest = Int(text), (1...1000).contains(latest) else { throw APIError(.badRequest, "latest: 1 to 1000") }
                // ?alerts=true: only alerts (a screen gone silent or back, a log fork a player saw).
                events = request.uri.queryParameters["alerts"] == "true"
                    ? try await services.store.latestAlerts(limit: latest) : try await services.store.latestAuditEvents(limit: latest)
            } else {
                guard let after = Int64(request.uri.queryParameters["after"].map(String.init) ?? "0"), after >= 0 else {
                    throw APIError(.badRequest, "after: an event id")
                }
                events = try await services.store.auditEvents(after: after)
            }
            return JSONBody.response(["events": .array(events.map { event in
                .object(["id": .integer(event.id), "at": .string(event.at.iso8601), "actor": .string(event.actor),
                         "action": .string(event.action), "subject": .string(event.subject),
                         "address": .string(event.address), "detail": .string(event.detail),
                         "log_index": event.logIndex.map(JSONValue.integer) ?? .null])
            })])
        }
    }
}

extension Services {
    /// A new account with a one-time password that must be changed at first sign-in.
    func createAccount(name: String, role: Role, groups: [String], actor: String,
                       address: String) async throws -> (account: Account, password: String) {
        let password = Secrets.oneTimePassword()
        guard let account = try await store.createAccount(name: name, role: role, passwordHash: Bcrypt.hash(password, cost: UInt8(config.bcryptCost)),
                                                          mustChangePassword: true, groups: groups, at: clock.now())
        else { throw APIError(.conflict, "name: an account named \(name) exists") }
        try await audit(actor, "account.create", name, address,
                        ["role": .string(role.rawValue), "groups": .array(groups.map(JSONValue.string))])
        return (account, password)
    }
}
