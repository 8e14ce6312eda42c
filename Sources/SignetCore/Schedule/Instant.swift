/// A UTC instant in milliseconds since 1970: the schedule engine's time. Like `TUFTime`, it is
/// always passed in; the core never reads a clock.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }

    public init(_ time: TUFTime) { millisecondsSince1970 = time.secondsSince1970 * 1000 }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }

    public func adding(milliseconds: Int64) -> Instant { Instant(millisecondsSince1970: millisecondsSince1970 + milliseconds) }

    /// Whole seconds, rounded down.
    public var tufTime: TUFTime {
        let ms = millisecondsSince1970
        return TUFTime(secondsSince1970: ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` before the `Z` when the milliseconds are not zero.
    public var iso8601: String {
        let fraction = millisecondsSince1970 - tufTime.secondsSince1970 * 1000
        guard fraction != 0 else { return tufTime.iso8601 }
        let digits = String(fraction)
        return tufTime.iso8601.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    public var description: String { iso8601 }

    /// `YYYY-MM-DDTHH:MM[:SS[.mmm]]` followed by `Z` or an offset `+HH:MM` / `-HH:MM`.
    public init?(iso8601 text: String) {
        guard let parsed = LocalDateTime.parse(text), let offset = parsed.offsetSeconds else { return nil }
        self = parsed.instant(offsetSeconds: offset)
    }
}

/// A date and time as people type it: with `Z` or an offset it names an instant; without, it is a
/// wall-clock time that a screen's time zone resolves.
public struct LocalDateTime: Sendable, Equatable {
    public let date: LocalDate
    public let millisecondOfDay: Int64
    /// Seconds east of UTC when the text gave `Z` or an offset.
    public let offsetSeconds: Int64?

    public static func parse(_ text: String) -> LocalDateTime? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
              let date = LocalDate(String(decoding: bytes[0..<10], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let hour = number(11..<13), let minute = number(14..<16), hour < 24, minute < 60 else { return nil }
        var index = 16, second: Int64 = 0, millisecond: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard let value = number(17..<19), value < 60 else { return nil }
            second = value
            index = 19
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                guard let value = number(20..<23) else { return nil }
                millisecond = value
                index = 23
            }
        }
        var offset: Int64?
        let rest = bytes[index...]
        if rest.elementsEqual([UInt8(ascii: "Z")]) {
            offset = 0
        } else if rest.count == 6, rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-"),
                  bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6),
                  hours < 24, minutes < 60 {
            offset = (rest.first == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
        } else if !rest.isEmpty {
            return nil
        }
        return LocalDateTime(date: date, millisecondOfDay: ((hour * 60 + minute) * 60 + second) * 1000 + millisecond,
                             offsetSeconds: offset)
    }

    func instant(offsetSeconds: Int64) -> Instant {
        Instant(millisecondsSince1970: date.daysSince1970 * 86_400_000 + millisecondOfDay - offsetSeconds * 1000)
    }
}
