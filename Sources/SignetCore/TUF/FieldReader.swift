/// Typed access to the fields of a metadata object, with errors that name the exact field.
/// An error a `FieldReader` can raise: the path of the field and the rule it breaks.
protocol FieldFailure: Error {
    init(path: String, rule: String)
}

extension TUFError: FieldFailure {
    init(path: String, rule: String) { self.init(.malformed, "\(path) \(rule)") }
}

/// Readers of TUF metadata raise `TUFError`.
typealias MetadataReader = FieldReader<TUFError>

struct FieldReader<Failure: FieldFailure> {
    let object: JSONObject
    /// Where this object sits, e.g. `root.signed.roles.targets`: built only for an error message,
    /// since metadata with thousands of targets would otherwise build a string per target.
    private let parent: String
    private let key: String?

    var context: String { key.map { "\(parent).\($0)" } ?? parent }

    init(_ object: JSONObject, context: String) {
        self.object = object
        parent = context
        key = nil
    }

    /// The object under `key` of `parent`.
    init(_ value: JSONValue, in parent: FieldReader<Failure>, key: String) throws(Failure) {
        guard let object = value.objectValue else {
            throw Failure(path: parent.path(key), rule: "must be an object, found \(value.kindName)")
        }
        self.object = object
        self.parent = parent.context
        self.key = key
    }

    init(_ value: JSONValue, context: String) throws(Failure) {
        guard let object = value.objectValue else {
            throw Failure(path: context, rule: "must be an object, found \(value.kindName)")
        }
        self.init(object, context: context)
    }

    func path(_ key: String) -> String { "\(context).\(key)" }

    func value(_ key: String) throws(Failure) -> JSONValue {
        guard let value = object[key] else { throw Failure(path: path(key), rule: "is missing") }
        return value
    }

    func wrongKind(_ key: String, _ expected: String, _ value: JSONValue) -> Failure {
        Failure(path: path(key), rule: "must be \(expected), found \(value.kindName)")
    }

    func string(_ key: String) throws(Failure) -> String {
        let value = try value(key)
        guard let string = value.stringValue else { throw wrongKind(key, "a string", value) }
        return string
    }

    func integer(_ key: String) throws(Failure) -> Int64 {
        let value = try value(key)
        guard let integer = value.integerValue else { throw wrongKind(key, "an integer", value) }
        return integer
    }

    func bool(_ key: String) throws(Failure) -> Bool {
        let value = try value(key)
        guard let bool = value.boolValue else { throw wrongKind(key, "a boolean", value) }
        return bool
    }

    func optionalBool(_ key: String) throws(Failure) -> Bool? {
        guard object[key] != nil else { return nil }
        return try bool(key)
    }

    func optionalInteger(_ key: String) throws(Failure) -> Int64? {
        guard object[key] != nil else { return nil }
        return try integer(key)
    }

    func object(_ key: String) throws(Failure) -> FieldReader {
        try FieldReader(try value(key), in: self, key: key)
    }

    func optionalObject(_ key: String) throws(Failure) -> FieldReader? {
        guard object[key] != nil else { return nil }
        return try object(key)
    }

    func array(_ key: String) throws(Failure) -> [JSONValue] {
        let value = try value(key)
        guard let array = value.arrayValue else { throw wrongKind(key, "an array", value) }
        return array
    }

    func stringArray(_ key: String) throws(Failure) -> [String] {
        var strings: [String] = []
        for (index, element) in try array(key).enumerated() {
            guard let string = element.stringValue else {
                throw Failure(path: "\(path(key))[\(index)]", rule: "must be a string, found \(element.kindName)")
            }
            strings.append(string)
        }
        return strings
    }

    /// A list of strings with no repeats (by UTF-8 bytes).
    func uniqueStringArray(_ key: String) throws(Failure) -> [String] {
        let strings = try stringArray(key)
        guard Set(strings.map(UTF8Key.init)).count == strings.count else {
            throw Failure(path: path(key), rule: "lists the same value more than once")
        }
        return strings
    }

    /// The fields this type does not know, kept so that a round-trip preserves them.
    func unrecognized(known: [String]) -> JSONObject {
        // Usually every field is known: avoid building an empty copy.
        if object.members.allSatisfy({ member in known.contains { $0.hasSameUTF8(as: member.key) } }) { return JSONObject() }
        return object.removing(known)
    }
}
