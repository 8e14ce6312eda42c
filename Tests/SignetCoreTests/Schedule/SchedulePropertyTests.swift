import Testing

@testable import SignetCore

/// Random programmes around both DST changes in several zones: whatever the schedule, the
/// timeline has no gaps, no slide is up for less than the minimum dwell, every answer agrees with
/// every other, and an interrupt is on screen within one minimum dwell.
@Suite("Schedule engine properties over random programmes")
struct SchedulePropertyTests {
    /// A fixed seed gives the same programmes on every run and machine.
    struct Random {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func bool() -> Bool { next() & 1 == 1 }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
    }

    static func time(_ minutes: Int) -> String {
        let hours = minutes / 60, rest = minutes % 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest)
    }

    struct Case {
        let engine: ScheduleEngine
        let from: Instant
        let to: Instant
    }

    static func randomCase(seed: UInt64) throws -> Case {
        var random = Random(state: seed)
        let zone = random.pick(["Europe/Berlin", "America/New_York", "Asia/Almaty", "Australia/Sydney"])
        let minDwell = random.pick([8_000, 10_000])
        var playlists: [String: [(String, Int)]] = [:]
        for id in ["default", "p1", "p2", "p3"] {
            playlists[id] = (0..<random.int(1...3)).map { _ in
                (random.pick(["a", "b", "c", "d", "e"]), minDwell + 1000 * random.int(0...3 * minDwell / 1000))
            }
        }
        var entries: [ScheduleFixture.Entry] = []
        for index in 0..<random.int(1...6) {
            var parts: [(String, String)] = []
            for _ in 0..<random.int(0...2) {
                let start = random.int(0...1439), length = random.int(1...600)
                let end = (start + length) % 1440
                parts.append((time(start), end == 0 ? "24:00" : time(end)))
            }
            let day = random.pick(["2025-03-28", "2025-03-29", "2025-03-30", "2025-10-25", "2025-10-26"])
            entries.append(ScheduleFixture.Entry(
                id: "e\(index)", playlist: random.pick(["p1", "p2", "p3"]),
                from: random.bool() ? day : nil, to: nil,
                weekdays: random.bool() ? [] : Array(Set((0..<3).map { _ in random.int(1...7) })).sorted(),
                dayParts: parts, priority: random.int(1...3), interrupt: random.bool()))
        }
        let quiet: [(String, String)] = random.int(0...3) == 0 ? [(time(random.int(0...1439)), time(random.int(0...1439)))] : []
        let programme = try ScheduleFixture.programme(
            zone: zone, minDwell: minDwell, quietHours: quiet.filter { $0.0 != $0.1 }, playlists: playlists, entries: entries)
        let start = random.pick(["2025-03-29T00:00:00Z", "2025-10-25T00:00:00Z"])
        let from = Instant(iso8601: start)!.adding(milliseconds: Int64(random.int(0...86_400)) * 1000 + Int64(random.int(0...999)))
        return Case(engine: try ScheduleEngine(programme: programme, screen: "s"), from: from,
                    to: from.adding(milliseconds: 36 * 3_600_000))
    }

    @Test(arguments: 1...40)
    func timelineHasNoGapsAndKeepsTheMinimumDwell(seed: Int) throws {
        let test = try Self.randomCase(seed: UInt64(seed))
        let timeline = test.engine.timeline(from: test.from, to: test.to)
        let minDwell = test.engine.policy.minDwellMilliseconds
        #expect(timeline.first?.start == test.from)
        #expect(timeline.last?.end == test.to)
        for (before, after) in zip(timeline, timeline.dropFirst()) {
            #expect(before.end == after.start, "gap or overlap between \(before) and \(after)")
        }
        for showing in timeline where showing.start > test.from && showing.end < test.to {
            #expect(showing.durationMilliseconds >= minDwell, "\(showing) is shorter than \(minDwell) ms")
        }
    }

    @Test(arguments: 41...70)
    func showingAgreesWithTheTimeline(seed: Int) throws {
        let test = try Self.randomCase(seed: UInt64(seed))
        let timeline = test.engine.timeline(from: test.from, to: test.to)
        var random = Random(state: UInt64(seed) &* 7919)
        let span = test.to.millisecondsSince1970 - test.from.millisecondsSince1970
        // Random instants, and instants just after each boundary, where the past matters most.
        var instants = (0..<25).map { _ in test.from.adding(milliseconds: Int64(random.next() % UInt64(span))) }
        let minDwell = test.engine.policy.minDwellMilliseconds
        for period in test.engine.periods.periods(from: test.from.millisecondsSince1970, to: test.to.millisecondsSince1970) {
            for step in 0..<8 {
                instants.append(Instant(millisecondsSince1970: period.start + Int64(step) * minDwell / 2 + 1))
            }
        }
        for t in instants where t >= test.from && t < test.to {
            let expected = try #require(timeline.first { $0.start <= t && t < $0.end })
            let showing = test.engine.showing(at: t)
            #expect(showing.slide == expected.slide && showing.source == expected.source, "at \(t): \(showing) vs \(expected)")
            if expected.start > test.from { #expect(showing.start == expected.start, "at \(t)") }
            if expected.end < test.to { #expect(showing.end == expected.end, "at \(t)") }
        }
    }

    @Test(arguments: 71...100)
    func interruptsAppearWithinOneMinimumDwell(seed: Int) throws {
        let test = try Self.randomCase(seed: UInt64(seed))
        let engine = test.engine
        let minDwell = engine.policy.minDwellMilliseconds
        let periods = engine.periods.periods(from: test.from.millisecondsSince1970, to: test.to.millisecondsSince1970)
        let timeline = engine.timeline(from: test.from, to: test.to)
        for period in periods where period.interrupt && period.end - period.start > minDwell {
            let due = Instant(millisecondsSince1970: period.start + minDwell)
            guard due > test.from, due < test.to else { continue }
            let shown = try #require(timeline.first { $0.start <= due && due < $0.end })
            #expect(shown.source == period.source, "interrupt \(period.source) from \(Instant(millisecondsSince1970: period.start)) not on screen at \(due)")
        }
    }
}
