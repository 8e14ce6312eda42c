/// An ordered table keyed by strings compared as UTF-8 bytes.
///
/// TUF maps (keys, targets, snapshot meta, hashes) keep their document order (the first hash names
/// a consistent-snapshot target) and must not merge keys that Swift's `String ==` calls equal.
public struct KeyedTable<Value: Sendable>: Sendable, Sequence {
    public typealias Entry = (key: String, value: Value)

    public private(set) var entries: [Entry] = []
    private var index: [UTF8Key: Int] = [:]

    public init() {}

    public init(_ entries: [Entry]) {
        for entry in entries { self[entry.key] = entry.value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }
    public var values: [Value] { entries.map(\.value) }

    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

    public func contains(_ key: String) -> Bool { index[UTF8Key(key)] != nil }

    public subscript(key: String) -> Value? {
        get { index[UTF8Key(key)].map { entries[$0].value } }
        set {
            let utf8Key = UTF8Key(key)
            if let position = index[utf8Key] {
                if let newValue {
                    entries[position].value = newValue
                } else {
                    entries.remove(at: position)
                    index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { (UTF8Key($1.key), $0) })
                }
            } else if let newValue {
                index[utf8Key] = entries.count
                entries.append((key, newValue))
            }
        }
    }

    public func mapValues<T>(_ transform: (Value) throws -> T) rethrows -> KeyedTable<T> {
        KeyedTable<T>(try entries.map { ($0.key, try transform($0.value)) })
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
