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
            guard let action = Command.Action(rawValue: name) else {
                throw APIError(.badRequest, "action: one of blank, safe, restore, brightness, lockdown, unlock, screenshot")
            }
            let level = body["level"]?.integerValue
            guard (action == .brightness) == (level != nil), level.map({ (1...100).contains($0) }) ?? true else {
                throw APIError(.badRequest, "level: 1 to 100 (percent), for brightness only")
            }
            let lifetime = body["expires_in_s"]?.integerValue ?? defaultLifetimeSeconds
            guard (5...3600).contains(lifetime) else { throw APIError(.badRequest, "expires_in_s: 5 to 3600 seconds") }
            let screens = try await services.commandTargets(body, account: account)
            let now = services.clock.now()
            let expires = now.adding(milliseconds: lifetime * 1000)
            let (issued, batch) = try await services.issue(action: action, level: level, to: screens, by: account.name, at: now, expires: expires)
            // One audit event for the whole issue: the commands are numbered consecutively, and each
            // row names its screen and the issuer.
            var detail: JSONObject = ["count": .integer(Int64(issued.count)), "first_id": .integer(issued.first?.id ?? 0),
                                      "last_id": .integer(issued.last?.id ?? 0), "expires": .string(expires.iso8601),
                                      // The signed batch's Merkle root commits the log to every command exactly.
                                      "batch_root": .string(Hex.encode(batch.tree.root)),
                                      "batch_sha256": .string(HashAlgorithm.digest("sha256", of: batch.batch)!)]
            if body["all"] != nil { detail["target"] = "all" }
            if let group = body["group"] { detail["target"] = .string("group \(group.stringValue ?? "")") }
            if body["screens"] != nil { detail["screens"] = .array(screens.map(JSONValue.string)) }
            try await services.audit(account.name, "command.issue", action.rawValue, context.clientAddress, detail)
            // What the commands share, once; then each screen's id and sequence number.
            let commands: [JSONValue] = issued.map { .object(["id": .integer($0.id), "screen": .string($0.screen), "sequence": .integer($0.sequence)]) }
            return JSONBody.response(["action": .string(action.rawValue), "issued_by": .string(account.name), "issued_at": .string(now.iso8601),
                                      "expires": .string(expires.iso8601), "commands": .array(commands)], status: .created)
        }

        routes.on(.get, "/api/v1/commands") { request, _, principal in
            let account = principal!.account
            let records: [CommandRecord]
            if let screen = request.uri.queryParameters["screen"].map(String.init) {
                // A screen's latest commands (its page in the console).
                try await services.checkScreenAccess(screen, account)
                records = try await services.store.latestCommandRecords(screen: screen, limit: 50)
            } else {
                let text = request.uri.queryParameters["ids"].map(String.init) ?? ""
                let ids = text.split(separator: ",").compactMap { Int64($0) }
                guard !ids.isEmpty, ids.count <= 20_000 else { throw APIError(.badRequest, "ids: command ids, comma-separated (or screen: a screen id)") }
                let found = try await services.store.commandRecords(ids: ids)
                // An account limited to groups sees the commands to its screens only.
                if account.groups.isEmpty {
                    records = found
                } else {
                    let visible = Set(try await services.store.screens().filter { account.covers($0.groups) }.map(\.id))
                    records = found.filter { visible.contains($0.screen) }
                }
            }
            return JSONBody.response(["commands": .array(records.map { .object(describe($0)) })])
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

    static func describe(_ command: CommandRecord) -> JSONObject {
        ["id": .integer(command.id), "screen": .string(command.screen), "sequence": .integer(command.sequence),
         "action": .string(command.action), "issued_by": .string(command.issuedBy), "issued_at": .string(command.issuedAt.iso8601),
         "expires": .string(command.expires.iso8601),
         "acknowledged_at": command.acknowledgedAt.map { .string($0.iso8601) } ?? .null,
         "result": command.result.map(JSONValue.string) ?? .null]
    }
}

extension Services {
    /// Numbers, signs and sends one command per screen: one signature over the batch's Merkle
    /// root, then each screen's document (its command and proof) made and sent in parallel slices;
    /// the batch is stored when all are sent, and only then are its commands offered as pending.
    func issue(action: Command.Action, level: Int64?, to screens: [String], by account: String, at now: Instant, expires: Instant)
        async throws -> (commands: [IssuedCommand], batch: SignedCommandBatch)
    {
        let key = try publisher.commandsKey()
        let reserved = try await store.reserveCommands(screens: screens, action: action.rawValue, by: account, at: now, expires: expires)
        let batch = try SignedCommandBatch(reserved.map { reservation in
            Command(action: action, screen: reservation.screen, sequence: reservation.sequence, id: reservation.id, issuedBy: account,
                    expires: expires.tufTime, level: level)
        }, key: key)
        let slices = stride(from: 0, to: reserved.count, by: 500).map { $0..<min($0 + 500, reserved.count) }
        let issued = await withTaskGroup(of: [IssuedCommand].self) { group in
            for slice in slices {
                group.addTask {
                    let commands = slice.map { index in
                        let reservation = reserved[index]
                        return IssuedCommand(id: reservation.id, screen: reservation.screen, sequence: reservation.sequence, action: action.rawValue,
                                             signed: batch.document(at: index), issuedBy: account, issuedAt: now, expires: expires,
                                             acknowledgedAt: nil, result: nil)
                    }
                    await hub.deliver(Dictionary(uniqueKeysWithValues: commands.map { ($0.screen, ServerNotice.commandMessage(signed: $0.signed)) }))
                    return commands
                }
            }
            var all: [IssuedCommand] = []
            for await commands in group { all += commands }
            return all.sorted { $0.id < $1.id }
        }
        let batchID = try await store.storeBatch(batch, firstID: reserved[0].id)
        await replicas.announce(.commands(batch: batchID, first: reserved[0].id, count: reserved.count))
        return (issued, batch)
    }

    /// The screens a command goes to: named ones, a group's, or all, each within the account's groups.
    func commandTargets(_ body: JSONObject, account: Account) async throws -> [String] {
        let choices = ["screens", "group", "all"].filter { body[$0] != nil }
        guard choices.count == 1 else { throw APIError(.badRequest, "give exactly one of screens, group and all") }
        let visible = try await store.screenGroups().filter { account.covers($0.groups) }
        let chosen: [(id: String, groups: [String])]
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
