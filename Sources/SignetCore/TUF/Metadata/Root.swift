/// Key ids and a threshold: who may sign a role, and how many of them must.
public struct RoleKeys: Sendable, Equatable {
    public var keyIDs: [String]
    public var threshold: Int64
    public var unrecognized: JSONObject

    public init(keyIDs: [String], threshold: Int64) {
        self.keyIDs = keyIDs
        self.threshold = threshold
        unrecognized = JSONObject()
    }

    init(_ fields: MetadataReader) throws(TUFError) {
        keyIDs = try fields.uniqueStringArray("keyids")
        threshold = try fields.integer("threshold")
        guard threshold >= 1 else { throw TUFError(.malformed, "\(fields.path("threshold")) must be at least 1") }
        unrecognized = fields.unrecognized(known: ["keyids", "threshold"])
    }

    func write(into object: inout JSONObject) {
        object["keyids"] = .array(keyIDs.map { .string($0) })
        object["threshold"] = .integer(threshold)
    }
}

/// Keys listed by id, as `root.keys` and `delegations.keys` carry them.
public typealias KeyTable = KeyedTable<PublicKey>

func readKeyTable(_ fields: MetadataReader) throws(TUFError) -> KeyTable {
    var keys = KeyTable()
    for (keyID, value) in fields.object {
        keys[keyID] = try PublicKey(json: value, context: fields.path(keyID))
    }
    return keys
}

func keyTableJSON(_ keys: KeyTable) -> JSONValue {
    .object(JSONObject(keys.entries.map { ($0.key, .object($0.value.json)) }))
}

/// root.json: the keys and thresholds of the four top-level roles.
public struct Root: RoleBody, Equatable {
    public static let type = "root"
    public static let topLevelRoles = ["root", "timestamp", "snapshot", "targets"]

    public var header: SignedHeader
    /// Absent means false for clients, as in python-tuf.
    public var consistentSnapshot: Bool?
    public var keys: KeyTable
    public var roles: [String: RoleKeys]
    public var unrecognized: JSONObject

    public init(expires: TUFTime, consistentSnapshot: Bool = true) {
        header = SignedHeader(expires: expires)
        self.consistentSnapshot = consistentSnapshot
        keys = KeyTable()
        roles = Dictionary(uniqueKeysWithValues: Self.topLevelRoles.map { ($0, RoleKeys(keyIDs: [], threshold: 1)) })
        unrecognized = JSONObject()
    }

    public init(signed: JSONValue, context: String = "root") throws(TUFError) {
        let fields = try MetadataReader(signed, context: context)
        header = try SignedHeader(fields, type: Self.type)
        consistentSnapshot = try fields.optionalBool("consistent_snapshot")
        keys = try readKeyTable(try fields.object("keys"))
        let roleFields = try fields.object("roles")
        guard Set(roleFields.object.keys) == Set(Self.topLevelRoles), roleFields.object.count == 4 else {
            throw TUFError(.malformed, "\(roleFields.context) must name exactly root, timestamp, snapshot and targets")
        }
        var roles: [String: RoleKeys] = [:]
        for name in Self.topLevelRoles { roles[name] = try RoleKeys(try roleFields.object(name)) }
        self.roles = roles
        unrecognized = fields.unrecognized(known: SignedHeader.knownFields + ["consistent_snapshot", "keys", "roles"])
    }

    public func jsonObject() -> JSONObject {
        var object = unrecognized
        header.write(into: &object, type: Self.type)
        if let consistentSnapshot { object["consistent_snapshot"] = .bool(consistentSnapshot) }
        object["keys"] = keyTableJSON(keys)
        var rolesObject = JSONObject()
        for name in Self.topLevelRoles {
            guard let role = roles[name] else { continue }
            var roleObject = role.unrecognized
            role.write(into: &roleObject)
            rolesObject[name] = .object(roleObject)
        }
        object["roles"] = .object(rolesObject)
        return object
    }

    public var usesConsistentSnapshots: Bool { consistentSnapshot ?? false }

    /// Adds `key` to `role`'s key ids and to the key table.
    public mutating func addKey(_ key: PublicKey, to role: String) {
        keys[key.keyID] = key
        if roles[role]?.keyIDs.contains(key.keyID) == false { roles[role]?.keyIDs.append(key.keyID) }
    }

    /// Removes `keyID` from `role`, and from the key table once no role uses it.
    public mutating func removeKey(_ keyID: String, from role: String) {
        roles[role]?.keyIDs.removeAll { $0 == keyID }
        if !roles.values.contains(where: { $0.keyIDs.contains(keyID) }) { keys[keyID] = nil }
    }
}

extension Root: Delegator {
    public func delegation(for roleName: String) -> (keys: KeyTable, role: RoleKeys)? {
        roles[roleName].map { (keys, $0) }
    }
}
