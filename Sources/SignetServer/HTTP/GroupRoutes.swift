import Foundation
import HTTPTypes
import Hummingbird
import SignetCore
import SignetSystem

/// Screen groups, and the approvers a group may have of its own. Registering them changes nothing
/// on any screen: the network's approvers must sign a release that delegates the group first.
enum GroupRoutes {
    static let maxKeys = 16

    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/api/v1/groups") { _, _, _ in
            let screens = try await services.store.screens()
            let approvers = Dictionary(uniqueKeysWithValues: try await services.store.groupApprovers().map { ($0.group, $0) })
            let published = try? services.publishedRepository().targetsRoles[Targets.type]?.signed
            let names = Set(screens.flatMap(\.groups)).union(approvers.keys).sorted()
            return JSONBody.response(["groups": .array(names.map { name in
                var object: JSONObject = ["name": .string(name),
                                          "screens": .array(screens.filter { $0.groups.contains(name) }.map { .string($0.id) })]
                if let group = approvers[name] {
                    object["approver_key_ids"] = .array(group.keys.map { .string($0.keyID) })
                    object["threshold"] = .integer(group.threshold)
                }
                let delegation = published?.delegation(for: ReleaseScope.roleName(group: name))
                object["delegated"] = .bool(delegation != nil)
                if let delegation { object["delegated_key_ids"] = .array(delegation.role.keyIDs.map(JSONValue.string)) }
                return .object(object)
            })])
        }

        routes.on(.put, "/api/v1/groups/{group}/approvers") { request, context, principal in
            let group = context.parameters.get("group") ?? ""
            guard ReleaseScope.isValidName(group) else { throw APIError(.badRequest, "group: lower-case letters, digits and '-'") }
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["keys", "threshold"])
            guard let values = body["keys"]?.arrayValue, (1...maxKeys).contains(values.count) else {
                throw APIError(.badRequest, "keys: a list of 1 to \(maxKeys) TUF public keys")
            }
            var keys: [PublicKey] = []
            for (index, value) in values.enumerated() {
                let key: PublicKey
                do { key = try PublicKey(json: value, context: "keys[\(index)]") } catch { throw APIError(.badRequest, "\(error)") }
                guard ["ed25519", "ecdsa-sha2-nistp256"].contains(key.scheme) else {
                    throw APIError(.badRequest, "keys[\(index)]: scheme \(key.scheme) is not accepted (ed25519 or ecdsa-sha2-nistp256)")
                }
                guard !keys.contains(where: { $0.keyID == key.keyID }) else { throw APIError(.badRequest, "keys[\(index)]: the same key twice") }
                keys.append(key)
            }
            guard let threshold = body["threshold"]?.integerValue, (1...Int64(keys.count)).contains(threshold) else {
                throw APIError(.badRequest, "threshold: a whole number from 1 to the number of keys (\(keys.count))")
            }
            try await services.store.setGroupApprovers(group: group, keys: keys, threshold: threshold, by: principal!.account.name,
                                                       at: services.clock.now())
            try await services.audit(principal!.account.name, "group.approvers", group, context.clientAddress,
                                     ["key_ids": .array(keys.map { .string($0.keyID) }), "threshold": .integer(threshold)])
            return JSONBody.response(["group": .string(group), "approver_key_ids": .array(keys.map { .string($0.keyID) }),
                                      "threshold": .integer(threshold),
                                      "next": "the network's approvers must sign a release that delegates this group"])
        }
    }
}
