/// One row of a result, its values by column name.
public struct SQLRow: Sendable, CustomStringConvertible {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of `column`; nil if the row has no such column.
    public func value(_ column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    /// The value of `column` as `T`. The store reads only columns its own schema declares, so a
    /// missing column or a value of another type is a programming error, as it is in GRDB.
    public subscript<T: SQLValueConvertible>(_ column: String) -> T {
        guard let stored = value(column) else { preconditionFailure("no column \(column) in \(columns)") }
        guard let value = T(sqlValue: stored) else { preconditionFailure("column \(column) holds \(stored), not \(T.self)") }
        return value
    }

    public var description: String {
        "[" + zip(columns, values).map { "\($0):\($1)" }.joined(separator: " ") + "]"
    }
}
