/// A fleet command for one screen: blank, safe slide, restore, brightness, lockdown on and off, or
/// a screenshot. It carries no content (the server may choose among approved things, never make
/// one) and is signed like TUF metadata, by the commands key that the root names in `x-signet`,
/// as a leaf of a `CommandBatch`.
///
/// `version` is the screen's command sequence number and `expires` its deadline: a player accepts
/// a command only for itself, only above the last number it accepted, and only before it expires,
/// so a captured command cannot be replayed, reordered or held back.
public struct Command: RoleBody, Equatable {
    public static let type = "signet-command"

    public enum Action: String, Sendable, CaseIterable {
        case blank, safe, restore, brightness, lockdown, unlock, screenshot
    }

    public var header: SignedHeader
    public var action: Action
    public var screen: String
    /// The server's number for this command, which acknowledgements name.
    public var id: Int64
    public var issuedBy: String
    /// Brightness in percent (1-100), for `brightness` only; the screen's policy caps it further.
    public var level: Int64?

    static let fields = SignedHeader.knownFields + ["action", "screen", "id", "issued_by", "level"]

    public init(action: Action, screen: String, sequence: Int64, id: Int64, issuedBy: String, expires: TUFTime, level: Int64? = nil) {
        header = SignedHeader(version: sequence, expires: expires)
        self.action = action
        self.screen = screen
        self.id = id
        self.issuedBy = issuedBy
        self.level = level
    }

    public var sequence: Int64 { header.version }

    public init(signed: JSONValue, context: String = "command") throws(TUFError) {
        let fields = try MetadataReader(signed, context: context)
        header = try SignedHeader(fields, type: Self.type)
        let name = try fields.string("action")
        guard let action = Action(rawValue: name) else {
            throw TUFError(.malformed, "\(context).action \"\(name)\" is not one of \(Action.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.action = action
        screen = try fields.string("screen")
        id = try fields.integer("id")
        issuedBy = try fields.string("issued_by")
        level = try fields.optionalInteger("level")
        // A player must not act on a command it only half understands.
        if let unknown = fields.unrecognized(known: Self.fields).members.first {
            throw TUFError(.malformed, "\(context).\(unknown.key) is not a command field")
        }
        guard (action == .brightness) == (level != nil) else {
            throw TUFError(.malformed, "\(context).level is required for brightness and only for brightness")
        }
        if let level, !(1...100).contains(level) { throw TUFError(.malformed, "\(context).level must be 1 to 100 (percent)") }
    }

    public func jsonObject() -> JSONObject {
        var object = JSONObject()
        header.write(into: &object, type: Self.type)
        object["action"] = .string(action.rawValue)
        object["screen"] = .string(screen)
        object["id"] = .integer(id)
        object["issued_by"] = .string(issuedBy)
        if let level { object["level"] = .integer(level) }
        return object
    }
}

/// The keys that may sign commands, and how many must: `x-signet.commands` in the signed root.
public struct CommandKeys: Delegator {
    public let keys: KeyTable
    public let role: RoleKeys

    public init(root: Root) throws(TUFError) {
        guard let entry = root.unrecognized["x-signet"]?.objectValue?["commands"] else {
            throw TUFError(.missingMetadata, "root v\(root.version) names no commands key (x-signet.commands)")
        }
        let fields = try MetadataReader(entry, context: "root.x-signet.commands")
        role = try RoleKeys(fields)
        keys = try readKeyTable(try fields.object("keys"))
        guard role.keyIDs.allSatisfy({ keys[$0] != nil }) else {
            throw TUFError(.malformed, "root.x-signet.commands names a key id without its key")
        }
    }

    public func delegation(for roleName: String) -> (keys: KeyTable, role: RoleKeys)? {
        roleName == CommandBatch.type ? (keys, role) : nil
    }
}
