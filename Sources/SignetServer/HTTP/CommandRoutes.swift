import Foundation
import HTTPTypes
import Hummingbird
import SignetCore
import SignetSystem

/// Fleet commands: operators issue them to screens, a group or every screen; each is signed with
/// the commands key for one screen with that screen's next sequence number; players fetch what is
/// pending for them and acknowledge it.
enum CommandRoutes {
    static let defaultLifetimeSeconds: Int64 = 60

    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/commands") { request, context, principal in
            let account = principal!.account
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["action", "screens", "group", "all", "level", "expires_in_s"])
            let name = try body.text("action", maxLength: 20)
            guard let action = Command.Action(rawValue: name), action != .screenshot else {
                throw APIError(.badRequest, "action: one of blank, safe, restore, brightness, lockdown, unlock")
            }
            let level = body["level"]?.integerValue
            guard (action == .brightness) == (level != nil), level.map({ (1...100).contains($0) }) ?? true else {
                throw APIError(.badRequest, "level: 1 to 100 (percent), for brightness only")
            }
            let lifetime = body["expires_in_s"]?.integerValue ?? defaultLifetimeSeconds
            guard (5...3600).contains(lifetime) else { throw APIError(.badRequest, "expires_in_s: 5 to 3600 seconds") }
            let screens = try await services.commandTargets(body, account: account)
            let key = try services.publisher.commandsKey()
            let now = services.clock.now()
            let expires = now.adding(milliseconds: lifetime * 1000)
            let issued = try await services.store.issueCommands(screens: screens, by: account.name, at: now, expires: expires) { screen, sequence, id in
                let command = Command(action: action, screen: screen, sequence: sequence, id: id, issuedBy: account.name,
                                      expires: expires.tufTime, level: level)
                var metadata = Metadata(signed: command)
                try metadata.sign(with: key)
                return (action.rawValue, metadata.encoded())
            }
            await services.hub.deliver(Dictionary(uniqueKeysWithValues: issued.map { ($0.screen, ServerNotice.commandMessage(signed: $0.signed)) }))
            try await services.audit(account.name, "command.issue", action.rawValue, context.clientAddress,
                                     ["screens": .array(screens.map(JSONValue.string)), "ids": .array(issued.map { .integer($0.id) }),
                                      "expires": .string(expires.iso8601)])
            return JSONBody.response(["commands": .array(issued.map { .object(describe($0)) })], status: .created)
        }

        routes.on(.get, "/api/v1/commands") { request, _, _ in
            let text = request.uri.queryParameters["ids"].map(String.init) ?? ""
            let ids = text.split(separator: ",").compactMap { Int64($0) }
            guard !ids.isEmpty, ids.count <= 20_000 else { throw APIError(.badRequest, "ids: command ids, comma-separated") }
            return JSONBody.response(["commands": .array(try await services.store.commands(ids: ids).map { .object(describe($0)) })])
        }

        routes.on(.get, "/api/v1/devices/commands") { _, context, _ in
            let pending = try await services.store.pendingCommands(screen: context.deviceScreen!, now: services.clock.now())
            return JSONBody.response(["commands": .array(try pending.map { try JSONParser().parse($0.signed) })])
        }

        routes.on(.post, "/api/v1/devices/commands/{id}/ack") { request, context, _ in
            let screen = context.deviceScreen!
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError(.notFound, "no such command") }
            let body = try await JSONBody.object(request, context: context)
            let acknowledgement: Acknowledgement
            do { acknowledgement = try Acknowledgement(command: id, json: body) } catch { throw APIError(.badRequest, "\(error)") }
            guard try await services.acknowledge(acknowledgement, screen: screen, address: context.clientAddress) else {
                throw APIError(.conflict, "command \(id) is not pending for screen \(screen)")
            }
            return JSONBody.response(["command": .integer(id), "acknowledged": true])
        }
    }

    static func describe(_ command: IssuedCommand) -> JSONObject {
        ["id": .integer(command.id), "screen": .string(command.screen), "sequence": .integer(command.sequence),
         "action": .string(command.action), "issued_by": .string(command.issuedBy), "issued_at": .string(command.issuedAt.iso8601),
         "expires": .string(command.expires.iso8601),
         "acknowledged_at": command.acknowledgedAt.map { .string($0.iso8601) } ?? .null,
         "result": command.result.map(JSONValue.string) ?? .null]
    }
}

extension Services {
    /// The screens a command goes to: named ones, a group's, or all, each within the account's groups.
    func commandTargets(_ body: JSONObject, account: Account) async throws -> [String] {
        let choices = ["screens", "group", "all"].filter { body[$0] != nil }
        guard choices.count == 1 else { throw APIError(.badRequest, "give exactly one of screens, group and all") }
        let registered = try await store.screens()
        let visible = registered.filter { account.covers($0.groups) }
        let chosen: [ScreenRecord]
        if let names = body["screens"]?.arrayValue {
            let ids = names.compactMap(\.stringValue)
            guard !ids.isEmpty, ids.count == names.count, Set(ids).count == ids.count else {
                throw APIError(.badRequest, "screens: distinct screen ids")
            }
            chosen = try ids.map { id in
                guard let screen = visible.first(where: { $0.id == id }) else { throw APIError(.notFound, "no screen \(id) in your groups") }
                return screen
            }
        } else if body["group"] != nil {
            let group = try body.text("group", maxLength: 64)
            chosen = visible.filter { $0.groups.contains(group) }
            guard !chosen.isEmpty else { throw APIError(.notFound, "no screen of group \(group) in your groups") }
        } else {
            guard body["all"] == .bool(true) else { throw APIError(.badRequest, "all: true") }
            chosen = visible
            guard !chosen.isEmpty else { throw APIError(.notFound, "no screens") }
        }
        return chosen.map(\.id)
    }
}
