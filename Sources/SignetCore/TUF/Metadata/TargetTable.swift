/// The `targets` of targets metadata, by path.
///
/// Entries read from a file are checked when the file is parsed but kept as JSON until looked up:
/// a delegated role lists hundreds of targets, and a lookup needs one of them.
public struct TargetTable: Sendable, Equatable, Sequence {
    enum Stored: Sendable {
        case typed(TargetFile)
        case validated(JSONObject)

        var targetFile: TargetFile {
            switch self {
            case .typed(let file): file
            case .validated(let object): TargetFile(validated: object)
            }
        }

        var jsonValue: JSONValue {
            switch self {
            case .typed(let file): file.jsonValue()
            case .validated(let object): .object(object)
            }
        }
    }

    private var storage: KeyedTable<Stored>

    public init() { storage = KeyedTable() }

    init(validated entries: [(key: String, value: JSONObject)]) {
        storage = KeyedTable(uniqueEntries: entries.map { .init(key: $0.key, value: .validated($0.value)) })
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var keys: [String] { storage.keys }

    public subscript(path: String) -> TargetFile? {
        get { storage[path]?.targetFile }
        set { storage[path] = newValue.map(Stored.typed) }
    }

    public struct Iterator: IteratorProtocol {
        var base: KeyedTable<Stored>.Iterator
        public mutating func next() -> (key: String, value: TargetFile)? { base.next().map { ($0.key, $0.value.targetFile) } }
    }

    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }

    /// The table as the `targets` object of a metadata file.
    func jsonValue() -> JSONValue {
        .object(JSONObject(uncheckedMembers: storage.entries.map { .init(key: $0.key, value: $0.value.jsonValue) }))
    }

    public static func == (lhs: TargetTable, rhs: TargetTable) -> Bool {
        lhs.count == rhs.count && lhs.storage.entries.allSatisfy { rhs[$0.key] == $0.value.targetFile }
    }
}

extension TargetTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TargetFile)...) {
        self.init()
        for (path, file) in elements { self[path] = file }
    }
}
