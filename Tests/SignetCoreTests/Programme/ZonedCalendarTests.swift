import Testing

@testable import SignetCore

@Suite("Screen wall clocks across time zones and DST")
struct ZonedCalendarTests {
    func utc(_ text: String) -> TUFTime { TUFTime(iso8601: text)! }
    func date(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test func berlinSpringForward() throws {
        let berlin = try #require(ZonedCalendar(identifier: "Europe/Berlin"))
        // 2025-03-30: clocks jump from 02:00 to 03:00 local, at 01:00 UTC.
        #expect(berlin.instant(date("2025-03-30"), LocalTime("01:59")!) == utc("2025-03-30T00:59:00Z"))
        #expect(berlin.instant(date("2025-03-30"), LocalTime("02:30")!) == utc("2025-03-30T01:00:00Z"))  // does not exist
        #expect(berlin.instant(date("2025-03-30"), LocalTime("03:00")!) == utc("2025-03-30T01:00:00Z"))
        #expect(berlin.local(utc("2025-03-30T01:00:00Z")).secondOfDay == 3 * 3600)
    }

    @Test func berlinFallBack() throws {
        let berlin = try #require(ZonedCalendar(identifier: "Europe/Berlin"))
        // 2025-10-26: clocks go back from 03:00 to 02:00 local, at 01:00 UTC; 02:30 happens twice.
        #expect(berlin.instant(date("2025-10-26"), LocalTime("02:30")!) == utc("2025-10-26T00:30:00Z"))
        #expect(berlin.local(utc("2025-10-26T00:30:00Z")).secondOfDay == 9000)
        #expect(berlin.local(utc("2025-10-26T01:30:00Z")).secondOfDay == 9000)
        // That local day is 25 hours long.
        let midnight = berlin.instant(date("2025-10-26"), minutes: 0)
        let nextMidnight = berlin.instant(date("2025-10-26"), minutes: 1440)
        #expect(nextMidnight.secondsSince1970 - midnight.secondsSince1970 == 25 * 3600)
    }

    @Test func screensInOtherZones() throws {
        let newYork = try #require(ZonedCalendar(identifier: "America/New_York"))
        #expect(newYork.instant(date("2024-11-27"), LocalTime("10:00")!) == utc("2024-11-27T15:00:00Z"))
        #expect(newYork.instant(date("2024-07-04"), LocalTime("10:00")!) == utc("2024-07-04T14:00:00Z"))
        let (day, second) = newYork.local(utc("2024-03-01T03:30:00Z"))
        #expect(day == date("2024-02-29"))  // a leap day, in New York
        #expect(second == 22 * 3600 + 1800)
        let almaty = try #require(ZonedCalendar(identifier: "Asia/Almaty"))
        let local = almaty.local(utc("2024-11-27T06:00:00Z"))
        #expect(local.date == date("2024-11-27"))
        #expect([11 * 3600, 12 * 3600].contains(local.secondOfDay))  // UTC+5 since March 2024 (UTC+6 in older tz data)
        #expect(ZonedCalendar(identifier: "Asia/Nowhere") == nil)
    }
}
