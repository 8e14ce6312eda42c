/// targets.json and delegated targets roles: target files and delegations.
public struct Targets: RoleBody, Equatable {
    public static let type = "targets"

    public var header: SignedHeader
    public var targets: KeyedTable<TargetFile>
    public var delegations: Delegations?
    public var unrecognized: JSONObject

    public init(expires: TUFTime, targets: KeyedTable<TargetFile> = KeyedTable(), delegations: Delegations? = nil) {
        header = SignedHeader(expires: expires)
        self.targets = targets
        self.delegations = delegations
        unrecognized = JSONObject()
    }

    public init(signed: JSONValue, context: String = "targets") throws(TUFError) {
        let fields = try FieldReader(signed, context: context)
        header = try SignedHeader(fields, type: Self.type)
        let targetFields = try fields.object("targets")
        var targets = KeyedTable<TargetFile>()
        for (path, value) in targetFields.object {
            do {
                targets[path] = try TargetFile(try FieldReader(value, context: ""))
            } catch {
                throw error.prefixed(targetFields.path(path))
            }
        }
        self.targets = targets
        if let delegationFields = try fields.optionalObject("delegations") {
            delegations = try Delegations(delegationFields)
        }
        unrecognized = fields.unrecognized(known: SignedHeader.knownFields + ["targets", "delegations"])
    }

    public func jsonObject() -> JSONObject {
        var object = unrecognized
        header.write(into: &object, type: Self.type)
        object["targets"] = .object(JSONObject(uncheckedMembers: targets.entries.map { .init(key: $0.key, value: $0.value.jsonValue()) }))
        if let delegations { object["delegations"] = delegations.jsonValue() }
        return object
    }
}

extension Targets: Delegator {
    public func delegation(for roleName: String) -> (keys: KeyTable, role: RoleKeys)? {
        delegations?.delegation(for: roleName)
    }
}
