import Foundation
import Testing

@testable import SignetCore

@Suite("Schedule engine: what a screen shows, and when it changes")
struct ScheduleEngineTests {
    typealias Entry = ScheduleFixture.Entry

    func utc(_ text: String) -> Instant { Instant(iso8601: text)! }

    @Test func theStateVisitFixture() throws {
        let programme = try Programme(bytes: Array(ProgrammeTests.document.utf8))
        let engine = try ScheduleEngine(programme: programme, screen: "astana-1")
        #expect(engine.slide(at: "2024-11-27T05:59:59") == "safe")
        let start = engine.showing(at: engine.local("2024-11-27T06:00"))
        #expect(start.slide == "welcome")
        #expect(start.source == .entry("state-visit"))
        #expect(start.start == engine.local("2024-11-27T06:00"))  // 06:00 is a slot boundary: no wait
        // The day part 06:00-02:00 crosses midnight: the evening of the 28th runs into the 29th.
        #expect(engine.slide(at: "2024-11-28T01:59:59") == "welcome")
        #expect(engine.slide(at: "2024-11-28T02:00:00") == "safe")
        #expect(engine.slide(at: "2024-11-29T01:30") == "welcome")
        #expect(engine.slide(at: "2024-11-29T02:00") == "safe")
        #expect(engine.slide(at: "2024-11-29T06:00") == "safe")
        // The Berlin screen is in no entry: its default playlist all along.
        let berlin = try ScheduleEngine(programme: programme, screen: "berlin-1")
        #expect(berlin.slide(at: "2024-11-27T12:00") == "safe")
        #expect(berlin.slide(at: "2024-11-27T03:00") == nil)  // its policy's quiet hours: black
        #expect(berlin.showing(at: berlin.local("2024-11-27T03:00")).source == .quietHours)
    }

    @Test func showingNamesTheNextChange() throws {
        let programme = try ScheduleFixture.programme(
            playlists: ["default": [("a", 10_000), ("b", 20_000)], "news": [("c", 15_000)]],
            entries: [Entry(id: "news", playlist: "news", dayParts: [("08:00", "09:00")])])
        let engine = try ScheduleEngine(programme: programme, screen: "s")
        let now = engine.showing(at: engine.local("2025-06-02T07:00:05"))
        #expect(now.slide == "a")
        #expect(now.start == engine.local("2025-06-02T07:00:00"))
        #expect(now.end == engine.local("2025-06-02T07:00:10"))
        #expect(engine.showing(at: now.end).slide == "b")
        #expect(engine.showing(at: engine.local("2025-06-02T08:00:00")).slide == "c")
        #expect(engine.showing(at: engine.local("2025-06-02T08:59:59")).slide == "c")
        #expect(engine.showing(at: engine.local("2025-06-02T09:00:00")).slide == "a")
    }

    @Test func berlinAcrossBothDSTChanges() throws {
        let programme = try ScheduleFixture.programme(
            playlists: ["default": [("a", 10_000)], "morning": [("b", 10_000)], "night": [("c", 10_000)]],
            entries: [Entry(id: "morning", playlist: "morning", dayParts: [("06:00", "09:00")]),
                      Entry(id: "night", playlist: "night", dayParts: [("02:15", "02:45")])])
        let engine = try ScheduleEngine(programme: programme, screen: "s")
        // 06:00 in Berlin is 05:00Z in winter and 04:00Z in summer.
        #expect(engine.showing(at: utc("2025-03-29T05:00:00Z")).slide == "b")
        #expect(engine.showing(at: utc("2025-03-29T04:59:59Z")).slide == "a")
        #expect(engine.showing(at: utc("2025-03-30T04:00:00Z")).slide == "b")
        #expect(engine.showing(at: utc("2025-03-30T03:59:59Z")).slide == "a")
        // 02:15-02:45 does not exist on 30 March: clocks jump from 02:00 to 03:00.
        let spring = engine.timeline(from: utc("2025-03-30T00:00:00Z"), to: utc("2025-03-30T02:00:00Z"))
        #expect(!spring.contains { $0.slide == "c" })
        // On 26 October 02:15 comes twice; the entry runs at the first, 00:15Z to 00:45Z.
        let autumn = engine.timeline(from: utc("2025-10-26T00:00:00Z"), to: utc("2025-10-26T02:00:00Z")).merged()
        #expect(autumn.filter { $0.slide == "c" }.map { "\($0.start)-\($0.end)" } == ["2025-10-26T00:15:00Z-2025-10-26T00:45:00Z"])
        // That day is 25 hours long: the morning entry still starts at 06:00 local, 05:00Z.
        #expect(engine.showing(at: utc("2025-10-26T05:00:00Z")).slide == "b")
        #expect(engine.showing(at: utc("2025-10-25T04:00:00Z")).slide == "b")
    }

    @Test func screensInDifferentZonesFollowTheirOwnClocks() throws {
        let programme = try ScheduleFixture.programme(
            playlists: ["default": [("a", 10_000)], "office": [("b", 10_000)]],
            entries: [Entry(id: "office", playlist: "office", target: #""groups": ["g"]"#, dayParts: [("09:00", "17:00")])])
        let newYork = try ScheduleEngine(programme: programme, screen: "ny")
        let almaty = try ScheduleEngine(programme: programme, screen: "almaty")
        let berlin = try ScheduleEngine(programme: programme, screen: "s")
        let instant = utc("2025-01-15T14:30:00Z")  // 09:30 in New York, 15:30 in Berlin, evening in Almaty
        #expect(newYork.showing(at: instant).slide == "b")
        #expect(berlin.showing(at: instant).slide == "b")
        #expect(almaty.showing(at: instant).slide == "a")
        #expect(almaty.slide(at: "2025-01-15T09:00") == "b")
        #expect(newYork.slide(at: "2025-01-15T08:59:59") == "a")
    }

    @Test func priorityThenScheduleOrderDecideOverlaps() throws {
        let playlists: [String: [(String, Int)]] = ["default": [("a", 10_000)], "one": [("b", 10_000)],
                                                    "two": [("c", 10_000)], "three": [("d", 10_000)]]
        let programme = try ScheduleFixture.programme(playlists: playlists, entries: [
            Entry(id: "first", playlist: "one", dayParts: [("10:00", "12:00")], priority: 5),
            Entry(id: "second", playlist: "two", dayParts: [("11:00", "13:00")], priority: 5),
            Entry(id: "urgent", playlist: "three", dayParts: [("11:30", "11:45")], priority: 9),
        ])
        let engine = try ScheduleEngine(programme: programme, screen: "s")
        #expect(engine.slide(at: "2025-05-05T10:30") == "b")
        #expect(engine.slide(at: "2025-05-05T11:10") == "b")  // a tie: the entry listed first wins
        #expect(engine.slide(at: "2025-05-05T11:35") == "d")  // higher priority wins whatever the order
        #expect(engine.slide(at: "2025-05-05T11:50") == "b")
        #expect(engine.slide(at: "2025-05-05T12:30") == "c")
        #expect(engine.slide(at: "2025-05-05T13:00") == "a")
    }

    @Test func datesWeekdaysAndALeapDay() throws {
        let programme = try ScheduleFixture.programme(
            playlists: ["default": [("a", 10_000)], "leap": [("b", 10_000)], "weekend": [("c", 10_000)]],
            entries: [Entry(id: "leap", playlist: "leap", from: "2028-02-29", to: "2028-02-29", priority: 20),
                      Entry(id: "weekend", playlist: "weekend", weekdays: [6, 7])])
        let engine = try ScheduleEngine(programme: programme, screen: "s")
        #expect(engine.slide(at: "2028-02-28T12:00") == "a")  // a Monday
        #expect(engine.slide(at: "2028-02-29T00:00") == "b")
        #expect(engine.slide(at: "2028-02-29T23:59:59") == "b")
        #expect(engine.slide(at: "2028-03-01T00:00") == "a")
        #expect(engine.slide(at: "2028-03-04T12:00") == "c")  // Saturday
        #expect(engine.slide(at: "2028-03-06T00:00") == "a")  // Monday again
    }

    /// Default slides of 35 s from midnight: the slot holding 06:00 began at 05:59:55.
    func deferral(interrupt: Bool) throws -> [Showing] {
        let programme = try ScheduleFixture.programme(
            playlists: ["default": [("a", 35_000)], "event": [("b", 10_000), ("c", 10_000)]],
            entries: [Entry(id: "event", playlist: "event", dayParts: [("06:00", "07:00")], interrupt: interrupt)])
        let engine = try ScheduleEngine(programme: programme, screen: "s")
        return engine.timeline(from: engine.local("2025-06-02T05:59:00"), to: engine.local("2025-06-02T06:01:00"))
    }

    @Test func aChangeWaitsForTheSlideOnScreen() throws {
        let timeline = try deferral(interrupt: false)
        let first = try #require(timeline.firstIndex { $0.slide != "a" })
        // The default slide runs to its end at 06:00:30; the event joins its rotation there, at
        // slot c (06:00:30-06:00:40).
        #expect(timeline[first - 1].end.description.hasSuffix("T04:00:30Z"))
        #expect(timeline[first].slide == "c")
        #expect(timeline[first].durationMilliseconds == 10_000)
    }

    @Test func anInterruptCutsInAfterTheMinimumDwell() throws {
        let timeline = try deferral(interrupt: true)
        let first = try #require(timeline.firstIndex { $0.slide != "a" })
        // The default slide began at 05:59:55 and must stay 10 s: the interrupt starts at 06:00:05.
        // Slot b (06:00:00-06:00:10) has only 5 s left, so c comes early and stays to 06:00:20.
        #expect(timeline[first - 1].end.description.hasSuffix("T04:00:05Z"))
        #expect(timeline[first].slide == "c")
        #expect(timeline[first].durationMilliseconds == 15_000)
        #expect(timeline[first + 1].slide == "b")
    }

    @Test func quietHoursBlackOutAllButInterrupts() throws {
        let programme = try ScheduleFixture.programme(
            quietHours: [("23:00", "05:00")],
            playlists: ["default": [("a", 10_000)], "late": [("b", 10_000)], "alert": [("c", 10_000)]],
            entries: [Entry(id: "late", playlist: "late", dayParts: [("22:00", "24:00")], priority: 50),
                      Entry(id: "alert", playlist: "alert", dayParts: [("02:00", "02:30")], priority: 1, interrupt: true)])
        let engine = try ScheduleEngine(programme: programme, screen: "s")
        #expect(engine.slide(at: "2025-07-01T22:30") == "b")
        #expect(engine.showing(at: engine.local("2025-07-01T23:30")).source == .quietHours)
        #expect(engine.slide(at: "2025-07-02T02:10") == "c")
        #expect(engine.slide(at: "2025-07-02T04:59:59") == nil)
        #expect(engine.slide(at: "2025-07-02T05:00") == "a")
        #expect(engine.luminanceCap(at: engine.local("2025-07-02T04:00")) == 300)
        #expect(engine.luminanceCap(at: engine.local("2025-07-02T12:00")) == 5000)
    }

    @Test func instantsParseStrictly() throws {
        #expect(Instant(iso8601: "2024-11-27T06:00:00Z")?.millisecondsSince1970 == 1_732_687_200_000)
        #expect(Instant(iso8601: "2024-11-27T11:00+05:00") == Instant(iso8601: "2024-11-27T06:00:00Z"))
        #expect(Instant(iso8601: "2024-11-27T06:00:00.250Z")?.description == "2024-11-27T06:00:00.250Z")
        #expect(Instant(iso8601: "2024-11-27T06:00") == nil)  // no zone: only a screen can resolve it
        #expect(LocalDateTime.parse("2024-11-27T06:00")?.offsetSeconds == nil)
        #expect(Instant(iso8601: "2024-11-27T24:00Z") == nil)
        #expect(Instant(iso8601: "2024-11-27 06:00Z") == nil)
        #expect(Instant(iso8601: "2024-11-27T06:00:00Zjunk") == nil)
    }

    @Test func unknownScreensAndDuplicateEntriesAreRefused() throws {
        let programme = try Programme(bytes: Array(ProgrammeTests.document.utf8))
        #expect(throws: ProgrammeError("screen", #"no screen named "paris-1""#)) {
            try ScheduleEngine(programme: programme, screen: "paris-1")
        }
        #expect(throws: ProgrammeError("programme.schedule[1].id", #"another entry is already named "x""#)) {
            try ScheduleFixture.programme(playlists: ["default": [("a", 10_000)]],
                                          entries: [Entry(id: "x", playlist: "default"), Entry(id: "x", playlist: "default")])
        }
    }
}

extension ScheduleEngineTests {
    @Test func brightnessFollowsThePolicysLuminanceCaps() throws {
        let text = ProgrammeTests.document.replacingOccurrences(
            of: #""astana-1": {"width": 960, "height": 480,"#, with: #""astana-1": {"width": 960, "height": 480, "panel_cd_m2": 6000,"#)
        let programme = try Programme(bytes: Array(text.utf8))
        let astana = try ScheduleEngine(programme: programme, screen: "astana-1")
        #expect(astana.brightnessCap(at: astana.local("2024-11-27T12:00")) == 5000.0 / 6000)  // day cap 5000 of 6000
        #expect(astana.brightnessCap(at: astana.local("2024-11-27T23:00")) == 300.0 / 6000)  // night cap 300
        #expect(astana.brightnessCap(at: astana.local("2024-11-28T05:59")) == 300.0 / 6000)
        #expect(astana.brightnessCap(at: astana.local("2024-11-28T06:00")) == 5000.0 / 6000)
        let berlin = try ScheduleEngine(programme: programme, screen: "berlin-1")
        #expect(berlin.brightnessCap(at: berlin.local("2024-11-27T23:00")) == 1)  // panel luminance unknown
    }
}
