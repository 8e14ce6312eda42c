/// Why a programme document is refused: the exact field, and the rule it breaks.
public struct ProgrammeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where, e.g. `slides.welcome.elements[1].colors[0]`.
    public let path: String
    /// What is wrong, e.g. `"#12345" is not a colour (#RRGGBB or #RRGGBBAA)`.
    public let rule: String

    public init(_ path: String, _ rule: String) {
        self.path = path
        self.rule = rule
    }

    public var description: String { "\(path): \(rule)" }
}

extension ProgrammeError: FieldFailure {
    init(path: String, rule: String) { self.init(path, rule) }
}

/// Readers of programme documents raise `ProgrammeError`.
typealias ProgrammeReader = FieldReader<ProgrammeError>

extension FieldReader where Failure == ProgrammeError {
    func colour(_ key: String) throws(ProgrammeError) -> Colour {
        let text = try string(key)
        guard let colour = Colour(hex: text) else {
            throw ProgrammeError(path(key), "\"\(text)\" is not a colour (#RRGGBB or #RRGGBBAA)")
        }
        return colour
    }

    func time(_ key: String, allowEndOfDay: Bool = false) throws(ProgrammeError) -> LocalTime {
        let text = try string(key)
        guard let time = LocalTime(text, allowEndOfDay: allowEndOfDay) else {
            throw ProgrammeError(path(key), "\"\(text)\" is not a time of day (HH:MM)")
        }
        return time
    }

    func date(_ key: String) throws(ProgrammeError) -> LocalDate {
        let text = try string(key)
        guard let date = LocalDate(text) else { throw ProgrammeError(path(key), "\"\(text)\" is not a date (YYYY-MM-DD)") }
        return date
    }

    /// An integer within `range`.
    func integer(_ key: String, in range: ClosedRange<Int64>) throws(ProgrammeError) -> Int64 {
        let value = try integer(key)
        guard range.contains(value) else {
            throw ProgrammeError(path(key), "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A string that is one of `choices`.
    func choice(_ key: String, _ choices: [String]) throws(ProgrammeError) -> String {
        let text = try string(key)
        guard choices.contains(text) else {
            throw ProgrammeError(path(key), "\"\(text)\" is not one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// Each member of an object, read as an object, with its key.
    func objects(_ key: String) throws(ProgrammeError) -> [(key: String, reader: ProgrammeReader)] {
        let table = try object(key)
        var result: [(key: String, reader: ProgrammeReader)] = []
        for (name, value) in table.object { result.append((name, try ProgrammeReader(value, in: table, key: name))) }
        return result
    }

    /// Each element of an array, read as an object.
    func objectArray(_ key: String) throws(ProgrammeError) -> [ProgrammeReader] {
        var result: [ProgrammeReader] = []
        for (index, element) in try array(key).enumerated() {
            result.append(try ProgrammeReader(element, context: "\(path(key))[\(index)]"))
        }
        return result
    }
}
