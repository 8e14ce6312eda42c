import Foundation
import Testing

@testable import SignetCore

@Suite("What a new programme changes on each screen")
struct ProgrammeDiffTests {
    typealias Entry = ScheduleFixture.Entry
    static let playlists: [String: [(String, Int)]] = ["default": [("a", 10_000), ("b", 10_000)], "visit": [("c", 30_000)]]

    func berlin(_ text: String) -> Instant { ZonedCalendar(identifier: "Europe/Berlin")!.instant(LocalDateTime.parse(text)!) }

    @Test func anAddedInterruptIsOneSpanPerDayOnEveryScreenItReaches() throws {
        let before = try ScheduleFixture.programme(playlists: Self.playlists, entries: [])
        let visit = Entry(id: "visit", playlist: "visit", from: "2025-11-27", to: "2025-11-28", dayParts: [("08:00", "20:00")],
                          priority: 100, interrupt: true)
        let after = try ScheduleFixture.programme(playlists: Self.playlists, entries: [visit])
        let diff = ProgrammeDiff.compare(before: before, after: after, from: berlin("2025-11-26T00:00"), to: berlin("2025-11-30T00:00"))
        #expect(diff.map(\.screen) == ["s"])  // the entry names screen s only
        let screen = try #require(diff.first)
        #expect(screen.kind == .changed && screen.settings.isEmpty && screen.spanCount == 2)
        #expect(screen.spans.map(\.start) == [berlin("2025-11-27T08:00"), berlin("2025-11-28T08:00")])
        #expect(screen.spans.map(\.end) == [berlin("2025-11-27T20:00"), berlin("2025-11-28T20:00")])
        #expect(screen.spans.allSatisfy { $0.before == ["a", "b"] && $0.after == ["c"] })
        #expect(screen.changedMilliseconds == 2 * 12 * 3_600_000)
        #expect(screen.lines == ["s: changed; shows something else for 24 h 0 min in 2 spans",
                                 "  2025-11-27 08:00:00 +01:00 to 2025-11-27 20:00:00 +01:00: c instead of a, b",
                                 "  2025-11-28 08:00:00 +01:00 to 2025-11-28 20:00:00 +01:00: c instead of a, b"])
        #expect(screen.json.objectValue?["spans"]?.arrayValue?.first?.objectValue?["start"] == .string("2025-11-27T07:00:00Z"))
        // Comparing a programme with itself finds nothing.
        #expect(ProgrammeDiff.compare(before: after, after: after, from: berlin("2025-11-26T00:00"), to: berlin("2025-11-30T00:00")).isEmpty)
    }

    @Test func anEditedSlideKeepsItsIdButCountsAsAChange() throws {
        let before = try ScheduleFixture.programme(playlists: Self.playlists, entries: [])
        let edited = Array(JSONWriter.compact.encode(before.document))
        let text = String(decoding: edited, as: UTF8.self).replacingOccurrences(of: #""b":{"elements":[]}"#,
                                                                                with: ##""b":{"background":"#FF0000","elements":[]}"##)
        let after = try Programme(bytes: Array(text.utf8))
        let diff = ProgrammeDiff.compare(before: before, after: after, from: berlin("2025-11-26T12:00"), to: berlin("2025-11-26T12:01"))
        #expect(diff.count == 3)  // every screen shows b
        let spans = try #require(diff.first { $0.screen == "s" }?.spans)
        #expect(spans.count == 3 && spans.allSatisfy { $0.before == ["b"] && $0.after == ["b (edited)"] })
        #expect(spans.first?.start == berlin("2025-11-26T12:00:10"))
        #expect(DocumentChanges(before: before, after: after).lines == ["slides: changed b"])
        #expect(DocumentChanges(before: after, after: after).isEmpty)
        let first = DocumentChanges(before: nil, after: after)
        #expect(first.lines.first == "screens: added almaty, ny, s")
        #expect(first.json.objectValue?["slides"]?.objectValue?["added"]?.arrayValue?.count == 7)
    }

    @Test func addedRemovedAndResettledScreens() throws {
        let before = try ScheduleFixture.programme(playlists: Self.playlists, entries: [])
        let after = try ScheduleFixture.programme(zone: "Asia/Almaty", playlists: Self.playlists, entries: [])
        let diff = ProgrammeDiff.compare(before: before, after: after, from: berlin("2025-11-26T12:00"), to: berlin("2025-11-26T12:01"))
        #expect(diff.map(\.screen) == ["s"] && diff[0].settings == ["time_zone"])
        let first = ProgrammeDiff.compare(before: nil, after: after, from: berlin("2025-11-26T12:00"), to: berlin("2025-11-26T12:01"))
        #expect(first.map(\.kind) == [.added, .added, .added])
        #expect(first[0].spans == [ScreenDiff.Span(start: berlin("2025-11-26T12:00"), end: berlin("2025-11-26T12:01"),
                                                   before: ["nothing"], after: ["a", "b"])])
    }
}
