import Crypto

/// Hex digests keyed by algorithm name, in document order.
public typealias Hashes = KeyedTable<String>

public enum HashAlgorithm {
    /// A SHA-256 digest as Signet names content by it: 64 lower-case hex digits.
    public static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The digest by `algorithm` (sha256, sha384 or sha512), or nil for any other name: a listed
    /// hash we cannot compute makes verification fail, since it is not a hash that matched.
    public static func digest(_ algorithm: String, of data: some Collection<UInt8>) -> String? {
        let bytes = Array(data)
        return switch algorithm {
        case "sha256": Hex.encode(SHA256.hash(data: bytes))
        case "sha384": Hex.encode(SHA384.hash(data: bytes))
        case "sha512": Hex.encode(SHA512.hash(data: bytes))
        default: nil
        }
    }

    public static func hashes(of data: some Collection<UInt8>, algorithms: [String] = ["sha256"]) -> Hashes {
        Hashes(algorithms.compactMap { algorithm in digest(algorithm, of: data).map { (algorithm, $0) } })
    }

    /// Checks every listed hash; `what` names the file in the error.
    public static func verify(_ data: some Collection<UInt8>, against hashes: Hashes, what: String) throws(TUFError) {
        for (algorithm, expected) in hashes {
            guard let actual = digest(algorithm, of: data) else {
                throw TUFError(.hashMismatch, "\(what): unsupported hash algorithm \"\(algorithm)\"")
            }
            guard actual == expected.lowercased() else {
                throw TUFError(.hashMismatch, "\(what): \(algorithm) hash does not match")
            }
        }
    }
}

/// Checks that `key` holds a non-empty object of strings, without building anything.
func validateHashes(_ fields: MetadataReader, key: String = "hashes") throws(TUFError) {
    let table = try fields.object(key)
    for (algorithm, value) in table.object where value.stringValue == nil {
        throw TUFError(.malformed, "\(table.path(algorithm)) must be a string, found \(value.kindName)")
    }
    guard !table.object.isEmpty else { throw TUFError(.malformed, "\(fields.path(key)) must not be empty") }
}

/// The hashes of an object that `validateHashes` accepted.
func validatedHashes(_ value: JSONValue?) -> Hashes {
    var hashes = Hashes()
    for (algorithm, hex) in value?.objectValue ?? JSONObject() { hashes[algorithm] = hex.stringValue ?? "" }
    return hashes
}

func readHashes(_ fields: MetadataReader, key: String = "hashes") throws(TUFError) -> Hashes {
    try validateHashes(fields, key: key)
    return validatedHashes(fields.object[key])
}

func hashesJSON(_ hashes: Hashes) -> JSONValue {
    .object(JSONObject(hashes.entries.map { ($0.key, .string($0.value)) }))
}

/// A `meta` entry of snapshot or timestamp: the version of a metadata file, and optionally its
/// length and hashes.
public struct MetaFile: Sendable, Equatable {
    public var version: Int64
    public var length: Int64?
    public var hashes: Hashes?
    public var unrecognized: JSONObject

    public init(version: Int64, length: Int64? = nil, hashes: Hashes? = nil) {
        self.version = version
        self.length = length
        self.hashes = hashes
        unrecognized = JSONObject()
    }

    init(_ fields: MetadataReader) throws(TUFError) {
        version = try fields.integer("version")
        guard version >= 1 else { throw TUFError(.malformed, "\(fields.path("version")) must be at least 1") }
        length = try fields.optionalInteger("length")
        if let length, length <= 0 { throw TUFError(.malformed, "\(fields.path("length")) must be positive") }
        hashes = fields.object["hashes"] == nil ? nil : try readHashes(fields)
        unrecognized = fields.unrecognized(known: ["version", "length", "hashes"])
    }

    public func jsonValue() -> JSONValue {
        var object = unrecognized
        object["version"] = .integer(version)
        if let length { object["length"] = .integer(length) }
        if let hashes { object["hashes"] = hashesJSON(hashes) }
        return .object(object)
    }

    /// Checks the length and hashes that are listed; `what` names the file in errors.
    public func verify(_ data: some Collection<UInt8>, what: String) throws(TUFError) {
        if let length, data.count != length {
            throw TUFError(.lengthMismatch, "\(what): length \(data.count) bytes, expected \(length)")
        }
        if let hashes { try HashAlgorithm.verify(data, against: hashes, what: what) }
    }
}

/// A target's length, hashes and optional custom data.
public struct TargetFile: Sendable, Equatable {
    public var length: Int64
    public var hashes: Hashes
    public var unrecognized: JSONObject

    /// Application data that TUF authenticates but does not interpret.
    public var custom: JSONValue? {
        get { unrecognized["custom"] }
        set { unrecognized["custom"] = newValue }
    }

    public init(length: Int64, hashes: Hashes, custom: JSONValue? = nil) {
        self.length = length
        self.hashes = hashes
        unrecognized = JSONObject()
        self.custom = custom
    }

    public init(contents: some Collection<UInt8>, algorithms: [String] = ["sha256"], custom: JSONValue? = nil) {
        self.init(length: Int64(contents.count), hashes: HashAlgorithm.hashes(of: contents, algorithms: algorithms),
                  custom: custom)
    }

    init(_ fields: MetadataReader) throws(TUFError) {
        try Self.validate(fields)
        self.init(validated: fields.object)
    }

    /// Checks a target entry's fields without building it: the rules of this type, in one place.
    static func validate(_ fields: MetadataReader) throws(TUFError) {
        guard try fields.integer("length") >= 0 else {
            throw TUFError(.malformed, "\(fields.path("length")) must not be negative")
        }
        try validateHashes(fields)
    }

    /// Builds an entry that `validate` accepted.
    init(validated object: JSONObject) {
        length = object["length"]?.integerValue ?? 0
        hashes = validatedHashes(object["hashes"])
        unrecognized = object.count == 2 ? JSONObject() : object.removing(["length", "hashes"])
    }

    public func jsonValue() -> JSONValue {
        var object = unrecognized
        object["length"] = .integer(length)
        object["hashes"] = hashesJSON(hashes)
        return .object(object)
    }

    public func verify(_ data: some Collection<UInt8>, what: String) throws(TUFError) {
        guard data.count == length else {
            throw TUFError(.lengthMismatch, "\(what): length \(data.count) bytes, expected \(length)")
        }
        try HashAlgorithm.verify(data, against: hashes, what: what)
    }
}
