/// targets.json and delegated targets roles: target files and delegations.
public struct Targets: RoleBody, Equatable {
    public static let type = "targets"

    public var header: SignedHeader
    public var targets: TargetTable
    public var delegations: Delegations?
    public var unrecognized: JSONObject

    public init(expires: TUFTime, targets: TargetTable = TargetTable(), delegations: Delegations? = nil) {
        header = SignedHeader(expires: expires)
        self.targets = targets
        self.delegations = delegations
        unrecognized = JSONObject()
    }

    public init(signed: JSONValue, context: String = "targets") throws(TUFError) {
        let fields = try MetadataReader(signed, context: context)
        header = try SignedHeader(fields, type: Self.type)
        let targetFields = try fields.object("targets")
        var entries: [(key: String, value: JSONObject)] = []
        entries.reserveCapacity(targetFields.object.count)
        for (path, value) in targetFields.object {
            do {
                let entry = try MetadataReader(value, context: "")
                try TargetFile.validate(entry)
                entries.append((path, entry.object))
            } catch {
                throw error.prefixed(targetFields.path(path))
            }
        }
        targets = TargetTable(validated: entries)  // the parser has rejected duplicate paths
        if let delegationFields = try fields.optionalObject("delegations") {
            delegations = try Delegations(delegationFields)
        }
        unrecognized = fields.unrecognized(known: SignedHeader.knownFields + ["targets", "delegations"])
    }

    public func jsonObject() -> JSONObject {
        var object = unrecognized
        header.write(into: &object, type: Self.type)
        object["targets"] = targets.jsonValue()
        if let delegations { object["delegations"] = delegations.jsonValue() }
        return object
    }
}

extension Targets: Delegator {
    public func delegation(for roleName: String) -> (keys: KeyTable, role: RoleKeys)? {
        delegations?.delegation(for: roleName)
    }
}
