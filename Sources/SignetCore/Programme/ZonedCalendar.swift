import Foundation

/// A screen's wall clock: conversions between instants and local dates and times with the tz
/// database. Pure: it reads no clock.
///
/// Local times that do not exist (the hour skipped when clocks go forward) resolve to the instant
/// the clocks jump, so "02:30" on a spring-forward night starts at 03:00. Local times that occur
/// twice (when clocks go back) resolve to the first occurrence.
public struct ZonedCalendar: Sendable {
    public let zone: TimeZone

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.zone = zone
    }

    /// Seconds east of UTC at `instant`.
    public func offset(at instant: TUFTime) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.secondsSince1970))))
    }

    /// The local date and second of the day at `instant`.
    public func local(_ instant: TUFTime) -> (date: LocalDate, secondOfDay: Int) {
        let seconds = instant.secondsSince1970 + offset(at: instant)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (LocalDate(daysSince1970: days), Int(seconds - days * 86_400))
    }

    /// The instant at which the wall clock shows `time` (minutes; 1440 is the next midnight) on `date`.
    public func instant(_ date: LocalDate, minutes: Int) -> TUFTime { instant(date, secondOfDay: Int64(minutes) * 60) }

    /// The instant at which the wall clock shows `secondOfDay` (86 400 is the next midnight) on `date`.
    public func instant(_ date: LocalDate, secondOfDay: Int64) -> TUFTime {
        let wall = date.daysSince1970 * 86_400 + secondOfDay
        // Clocks change at most once around any given day: the offsets a day before and a day
        // after are the only candidates.
        let before = offset(at: TUFTime(secondsSince1970: wall - 86_400))
        let after = offset(at: TUFTime(secondsSince1970: wall + 86_400))
        let candidates = [wall - before, wall - after].filter { offset(at: TUFTime(secondsSince1970: $0)) == wall - $0 }
        if let first = candidates.min() { return TUFTime(secondsSince1970: first) }
        // In a gap: the clocks jump over this time; it starts when they do.
        let searchFrom = Date(timeIntervalSince1970: TimeInterval(wall - before - 86_400))
        if let jump = zone.nextDaylightSavingTimeTransition(after: searchFrom) {
            return TUFTime(secondsSince1970: Int64(jump.timeIntervalSince1970.rounded()))
        }
        return TUFTime(secondsSince1970: wall - before)
    }

    public func instant(_ date: LocalDate, _ time: LocalTime) -> TUFTime { instant(date, minutes: time.minutes) }

    /// A typed date and time: its own offset if it has one, else this wall clock's.
    public func instant(_ dateTime: LocalDateTime) -> Instant {
        if let offset = dateTime.offsetSeconds { return dateTime.instant(offsetSeconds: offset) }
        let second = dateTime.millisecondOfDay / 1000
        return Instant(instant(dateTime.date, secondOfDay: second)).adding(milliseconds: dateTime.millisecondOfDay - second * 1000)
    }
}

extension Instant {
    /// `2024-11-27 06:00:00 +05:00` on a screen's wall clock.
    public func local(_ calendar: ZonedCalendar) -> String {
        let offset = calendar.offset(at: tufTime)
        let shifted = Instant(millisecondsSince1970: millisecondsSince1970 + offset * 1000).iso8601
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) / 60 % 60
        func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return shifted.dropLast().replacingOccurrences(of: "T", with: " ") + " \(sign)\(pad(hours)):\(pad(minutes))"
    }
}
