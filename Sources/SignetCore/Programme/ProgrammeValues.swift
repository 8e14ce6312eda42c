/// An sRGB colour with alpha, written `#RRGGBB` or `#RRGGBBAA`.
public struct Colour: Sendable, Hashable, CustomStringConvertible {
    public var red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8 = 255) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    public init?(hex text: String) {
        let digits = Array(text.utf8)
        guard digits.first == UInt8(ascii: "#"), digits.count == 7 || digits.count == 9,
              let bytes = Hex.decode(String(decoding: digits.dropFirst(), as: UTF8.self))
        else { return nil }
        self.init(red: bytes[0], green: bytes[1], blue: bytes[2], alpha: bytes.count == 4 ? bytes[3] : 255)
    }

    public var description: String {
        "#" + Hex.encode(alpha == 255 ? [red, green, blue] : [red, green, blue, alpha]).uppercased()
    }
}

/// A wall-clock time of day in a screen's time zone, `HH:MM`, as minutes since midnight.
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0..<1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// `HH:MM`, 00:00 to 23:59; also `24:00` for the end of a day part.
    public init?(_ text: String, allowEndOfDay: Bool = false) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
              let hours = Int(String(text.prefix(2))), let minutes = Int(String(text.suffix(2))),
              bytes[0...1].allSatisfy({ (48...57).contains($0) }), bytes[3...4].allSatisfy({ (48...57).contains($0) })
        else { return nil }
        if allowEndOfDay, hours == 24, minutes == 0 {
            self.minutes = 1440
            return
        }
        guard hours < 24, minutes < 60 else { return nil }
        self.minutes = hours * 60 + minutes
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutes < rhs.minutes }

    public var description: String {
        let hours = minutes / 60, rest = minutes % 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest)
    }
}

/// A calendar date, `YYYY-MM-DD`, as days since 1970-01-01 (proleptic Gregorian).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let daysSince1970: Int64

    public init(daysSince1970: Int64) { self.daysSince1970 = daysSince1970 }

    public init?(_ text: String) {
        guard text.utf8.count == 10, let midnight = TUFTime(iso8601: text + "T00:00:00Z") else { return nil }
        daysSince1970 = midnight.secondsSince1970 / 86_400
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.daysSince1970 < rhs.daysSince1970 }

    /// ISO weekday: 1 is Monday, 7 is Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { Int(((daysSince1970 % 7) + 7 + 3) % 7) + 1 }

    public var description: String { String(TUFTime(secondsSince1970: daysSince1970 * 86_400).iso8601.prefix(10)) }
}
