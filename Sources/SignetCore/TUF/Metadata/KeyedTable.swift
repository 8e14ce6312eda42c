/// An ordered table keyed by strings compared as UTF-8 bytes.
///
/// TUF maps (keys, targets, snapshot meta, hashes) keep their document order (the first hash names
/// a consistent-snapshot target) and must not merge keys that Swift's `String ==` calls equal.
public struct KeyedTable<Value: Sendable>: Sendable, Sequence {
    /// A struct, not a tuple, for the same reason as `JSONObject.Member`.
    public struct Entry: Sendable {
        public var key: String
        public var value: Value
    }

    public private(set) var entries: [Entry] = []
    /// Built once the table is large; small tables (most hashes and key lists) are scanned.
    private var index: [UTF8Key: Int]?
    private static var indexThreshold: Int { 12 }

    public init() {}

    public init(_ entries: [(key: String, value: Value)]) {
        for entry in entries { self[entry.key] = entry.value }
    }

    /// A table from entries whose keys are known to be distinct (by UTF-8 bytes), built in one go.
    init(uniqueEntries: [Entry]) {
        entries = uniqueEntries
        rebuildIndex()
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }
    public var values: [Value] { entries.map(\.value) }

    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Entry]>
        public mutating func next() -> (key: String, value: Value)? { base.next().map { ($0.key, $0.value) } }
    }

    public func makeIterator() -> Iterator { Iterator(base: entries.makeIterator()) }

    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    private func position(of key: String) -> Int? {
        if let index { return index[UTF8Key(key)] }
        return entries.firstIndex { $0.key.hasSameUTF8(as: key) }
    }

    public subscript(key: String) -> Value? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    entries[position].value = newValue
                } else {
                    entries.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
                if index != nil {
                    index![UTF8Key(key)] = entries.count - 1
                } else if entries.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        guard entries.count > Self.indexThreshold else {
            index = nil
            return
        }
        var index = [UTF8Key: Int](minimumCapacity: entries.count)
        for (position, entry) in entries.enumerated() { index[UTF8Key(entry.key)] = position }
        self.index = index
    }
}

extension KeyedTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension KeyedTable: Equatable where Value: Equatable {
    public static func == (lhs: KeyedTable, rhs: KeyedTable) -> Bool {
        lhs.count == rhs.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }
}
