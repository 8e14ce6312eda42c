import Crypto

/// Root delegates the top-level roles; targets metadata delegates to other targets roles.
public protocol Delegator: Sendable {
    /// The keys and threshold that `roleName` must be signed with, if this delegator delegates it.
    func delegation(for roleName: String) -> (keys: KeyTable, role: RoleKeys)?
}

/// One entry of `delegations.roles`: who may sign which target paths.
public struct DelegatedRole: Sendable, Equatable {
    public var name: String
    public var keys: RoleKeys
    public var terminating: Bool
    /// Glob patterns matched per `/`-separated segment (`*` never crosses a `/`).
    public var paths: [String]? {
        didSet { compiledPaths = paths?.map(PathPattern.init) }
    }
    private var compiledPaths: [PathPattern]?
    /// Prefixes of hex(sha256(target path)): hashed bins.
    public var pathHashPrefixes: [String]?
    public var unrecognized: JSONObject

    public init(name: String, keyIDs: [String], threshold: Int64, terminating: Bool = false,
                paths: [String]? = nil, pathHashPrefixes: [String]? = nil)
    {
        self.name = name
        keys = RoleKeys(keyIDs: keyIDs, threshold: threshold)
        self.terminating = terminating
        self.paths = paths
        compiledPaths = paths?.map(PathPattern.init)
        self.pathHashPrefixes = pathHashPrefixes
        unrecognized = JSONObject()
    }

    init(_ fields: MetadataReader) throws(TUFError) {
        name = try fields.string("name")
        keys = try RoleKeys(fields)
        keys.unrecognized = JSONObject()  // this object's unknown fields live in `unrecognized`
        terminating = try fields.bool("terminating")
        paths = fields.object["paths"] == nil ? nil : try fields.stringArray("paths")
        compiledPaths = paths?.map(PathPattern.init)
        pathHashPrefixes = fields.object["path_hash_prefixes"] == nil ? nil : try fields.stringArray("path_hash_prefixes")
        guard (paths == nil) != (pathHashPrefixes == nil) else {
            throw TUFError(.malformed, "\(fields.context) must have exactly one of paths and path_hash_prefixes")
        }
        unrecognized = fields.unrecognized(known: ["name", "keyids", "threshold", "terminating", "paths",
                                                   "path_hash_prefixes"])
    }

    public func jsonValue() -> JSONValue {
        var object = unrecognized
        object["name"] = .string(name)
        keys.write(into: &object)
        object["terminating"] = .bool(terminating)
        if let paths { object["paths"] = .array(paths.map { .string($0) }) }
        if let pathHashPrefixes { object["path_hash_prefixes"] = .array(pathHashPrefixes.map { .string($0) }) }
        return .object(object)
    }

    public static func == (lhs: DelegatedRole, rhs: DelegatedRole) -> Bool {
        lhs.name.hasSameUTF8(as: rhs.name) && lhs.keys == rhs.keys && lhs.terminating == rhs.terminating
            && lhs.paths == rhs.paths && lhs.pathHashPrefixes == rhs.pathHashPrefixes && lhs.unrecognized == rhs.unrecognized
    }

    /// Whether this role is trusted for `targetPath`.
    public func isDelegated(path targetPath: String) -> Bool {
        var lookup = TargetLookup(targetPath)
        return isDelegated(&lookup)
    }

    func isDelegated(_ target: inout TargetLookup) -> Bool {
        if let compiledPaths {
            return compiledPaths.contains { $0.matches(target.split) }
        }
        if let pathHashPrefixes {
            let digest = target.digest
            return pathHashPrefixes.contains { digest.hasPrefix($0) }
        }
        return false
    }
}

/// A target path prepared once for matching against many delegations.
struct TargetLookup {
    let split: SplitPath
    private var cachedDigest: String?

    init(_ path: String) { split = SplitPath(path) }

    /// hex(sha256(path)), computed on first use.
    var digest: String {
        mutating get {
            if let cachedDigest { return cachedDigest }
            let digest = Hex.encode(SHA256.hash(data: Array(split.path.utf8)))
            cachedDigest = digest
            return digest
        }
    }
}

/// TAP 15 succinct hashed bins: `2^bitLength` roles named `<prefix>-<hex bin>`, one key set.
public struct SuccinctRoles: Sendable, Equatable {
    public var keys: RoleKeys
    public var bitLength: Int
    public var namePrefix: String
    public var unrecognized: JSONObject

    public init(keyIDs: [String], threshold: Int64, bitLength: Int, namePrefix: String) {
        keys = RoleKeys(keyIDs: keyIDs, threshold: threshold)
        self.bitLength = bitLength
        self.namePrefix = namePrefix
        unrecognized = JSONObject()
    }

    init(_ fields: MetadataReader) throws(TUFError) {
        keys = try RoleKeys(fields)
        keys.unrecognized = JSONObject()  // this object's unknown fields live in `unrecognized`
        let bits = try fields.integer("bit_length")
        guard (1...32).contains(bits) else { throw TUFError(.malformed, "\(fields.path("bit_length")) must be 1 to 32") }
        bitLength = Int(bits)
        namePrefix = try fields.string("name_prefix")
        unrecognized = fields.unrecognized(known: ["keyids", "threshold", "bit_length", "name_prefix"])
    }

    public func jsonValue() -> JSONValue {
        var object = unrecognized
        keys.write(into: &object)
        object["bit_length"] = .integer(Int64(bitLength))
        object["name_prefix"] = .string(namePrefix)
        return .object(object)
    }

    public var binCount: Int { 1 << bitLength }

    private var suffixWidth: Int { String(binCount - 1, radix: 16).count }

    public func roleName(bin: Int) -> String {
        let hex = String(bin, radix: 16)
        return "\(namePrefix)-\(String(repeating: "0", count: suffixWidth - hex.count))\(hex)"
    }

    /// The bin for a target: the first `bitLength` bits of sha256(path).
    public func roleName(forTarget targetPath: String) -> String {
        let digest = Array(SHA256.hash(data: Array(targetPath.utf8)))
        let first32 = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
        return roleName(bin: Int(first32 >> (32 - UInt32(bitLength))))
    }

    public var allRoleNames: [String] { (0..<binCount).map(roleName(bin:)) }

    public func isRole(_ name: String) -> Bool {
        let prefix = namePrefix + "-"
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.dropFirst(prefix.count)
        guard suffix.count == suffixWidth, let bin = Int(suffix, radix: 16), suffix == suffix.lowercased() else {
            return false
        }
        return bin < binCount
    }
}

/// `delegations` in targets metadata: keys, and either an ordered list of roles or succinct bins.
public struct Delegations: Sendable, Equatable {
    public var keys: KeyTable
    public var roles: [DelegatedRole]? {
        didSet { index = roles.map(DelegationIndex.init) }
    }
    public var succinctRoles: SuccinctRoles?
    public var unrecognized: JSONObject
    private var index: DelegationIndex?

    public init(keys: KeyTable = KeyTable(), roles: [DelegatedRole]) {
        self.keys = keys
        self.roles = roles
        index = DelegationIndex(roles)
        unrecognized = JSONObject()
    }

    public init(keys: KeyTable = KeyTable(), succinctRoles: SuccinctRoles) {
        self.keys = keys
        self.succinctRoles = succinctRoles
        unrecognized = JSONObject()
    }

    init(_ fields: MetadataReader) throws(TUFError) {
        keys = try readKeyTable(try fields.object("keys"))
        if fields.object["roles"] != nil {
            var roles: [DelegatedRole] = []
            var names = Set<UTF8Key>()
            for (index, value) in try fields.array("roles").enumerated() {
                let role = try DelegatedRole(try MetadataReader(value, context: "\(fields.path("roles"))[\(index)]"))
                guard !role.name.isEmpty, !Root.topLevelRoles.contains(role.name) else {
                    throw TUFError(.malformed, "\(fields.path("roles"))[\(index)].name must not be empty or a top-level role name")
                }
                guard names.insert(UTF8Key(role.name)).inserted else {
                    throw TUFError(.malformed, "\(fields.path("roles")) delegates \"\(role.name)\" twice")
                }
                roles.append(role)
            }
            self.roles = roles
            index = DelegationIndex(roles)
        }
        if let succinct = try fields.optionalObject("succinct_roles") {
            succinctRoles = try SuccinctRoles(succinct)
        }
        guard (roles == nil) != (succinctRoles == nil) else {
            throw TUFError(.malformed, "\(fields.context) must have exactly one of roles and succinct_roles")
        }
        unrecognized = fields.unrecognized(known: ["keys", "roles", "succinct_roles"])
    }

    public func jsonValue() -> JSONValue {
        var object = unrecognized
        object["keys"] = keyTableJSON(keys)
        if let roles { object["roles"] = .array(roles.map { $0.jsonValue() }) }
        if let succinctRoles { object["succinct_roles"] = succinctRoles.jsonValue() }
        return .object(object)
    }

    /// The roles to consult for `targetPath`, in priority order, with their terminating flag.
    public func roles(forTarget targetPath: String) -> [(name: String, terminating: Bool)] {
        var roles: [(name: String, terminating: Bool)] = []
        forEachRole(forTarget: targetPath) { name, terminating in
            roles.append((name, terminating))
            return true
        }
        return roles
    }

    /// Calls `body` with each role to consult for `targetPath`, in priority order, until it
    /// returns false.
    public func forEachRole(forTarget targetPath: String, _ body: (String, Bool) -> Bool) {
        if let roles, let index {
            var lookup = TargetLookup(targetPath)
            for position in index.candidates(for: targetPath) where roles[position].isDelegated(&lookup) {
                guard body(roles[position].name, roles[position].terminating) else { return }
            }
        } else if let succinctRoles {
            _ = body(succinctRoles.roleName(forTarget: targetPath), false)
        }
    }

    public static func == (lhs: Delegations, rhs: Delegations) -> Bool {
        lhs.keys == rhs.keys && lhs.roles == rhs.roles && lhs.succinctRoles == rhs.succinctRoles
            && lhs.unrecognized == rhs.unrecognized
    }

    public func delegation(for roleName: String) -> (keys: KeyTable, role: RoleKeys)? {
        if let role = roles?.first(where: { $0.name.hasSameUTF8(as: roleName) }) {
            return (keys, role.keys)
        }
        if let succinctRoles, succinctRoles.isRole(roleName) { return (keys, succinctRoles.keys) }
        return nil
    }
}

/// Which delegated roles can match a target, found by its first path segment: a role whose
/// patterns all start with a literal segment is only a candidate for targets under that segment.
/// With many delegations this turns a scan of every pattern into a dictionary lookup; the order of
/// candidates is the roles' order, which is the search priority.
struct DelegationIndex: Sendable {
    private var byFirstSegment: [UTF8Key: [Int]] = [:]
    private var alwaysChecked: [Int] = []

    init(_ roles: [DelegatedRole]) {
        for (position, role) in roles.enumerated() {
            let literals = role.paths?.map { PathPattern($0).literalFirstSegment }
            guard let literals, !literals.isEmpty, literals.allSatisfy({ $0 != nil }) else {
                alwaysChecked.append(position)
                continue
            }
            for literal in Set(literals.compactMap { $0.map(UTF8Key.init) }) {
                byFirstSegment[literal, default: []].append(position)
            }
        }
    }

    func candidates(for targetPath: String) -> [Int] {
        // By bytes, not Characters: a combining mark after "/" must not hide the separator, and
        // the byte 0x2F never occurs inside a multi-byte UTF-8 sequence.
        let first = targetPath.utf8.firstIndex(of: UInt8(ascii: "/")).map { String(targetPath.unicodeScalars[..<$0]) }
            ?? targetPath
        guard let indexed = byFirstSegment[UTF8Key(first)] else { return alwaysChecked }
        if alwaysChecked.isEmpty { return indexed }
        return (indexed + alwaysChecked).sorted()
    }
}
