/// What a screen shows at any instant, decided from the programme alone: pure, no clock.
///
/// The rules, in order:
/// 1. `SchedulePeriods` names the winning source of each moment (priority, then schedule order;
///    quiet hours; the default playlist) and splits time at every boundary and at local midnight.
/// 2. Within a period, its playlist rotates from the period's start: slot after slot, each slide
///    for its dwell, looping.
/// 3. When the winner changes, the slide on screen is not cut short: a change to an interrupt
///    entry waits until the slide has been up for the policy's minimum dwell; any other change
///    waits for the slide's end. The new playlist then joins its rotation at the slide due at that
///    moment, until that slide's slot ends; if less than a minimum dwell of the slot is left, it
///    shows the next slide early instead, until the next slot ends.
///
/// So no slide is ever shown for less than the minimum dwell, the timeline has no gaps, and an
/// interrupt is on screen within one minimum dwell of its start. Because each period's rotation is
/// aligned to its own start, the past stops mattering once a period has run for `settleTime`:
/// the engine replays only from the latest such point, and every answer agrees with every other.
public struct ScheduleEngine: Sendable {
    public let programme: Programme
    public let screen: Screen
    public let policy: PolicyProfile
    public let calendar: ZonedCalendar
    let periods: SchedulePeriods
    let minDwell: Int64
    /// After a period has run this long, it shows its own rotation whatever came before.
    let settleTime: Int64

    static let day: Int64 = 86_400_000

    /// `programme` must have passed `validate()` (as `Programme(bytes:)` does).
    public init(programme: Programme, screen id: String) throws(ProgrammeError) {
        guard let screen = programme.screens[id] else { throw ProgrammeError("screen", "no screen named \"\(id)\"") }
        guard let calendar = ZonedCalendar(identifier: screen.timeZone) else {
            throw ProgrammeError("programme.screens.\(id).time_zone", "\"\(screen.timeZone)\" is not a time zone of the tz database")
        }
        try programme.checkPolicy(of: screen)
        self.programme = programme
        self.screen = screen
        self.policy = programme.policies[screen.policy]!
        self.calendar = calendar
        let entries = programme.schedule.enumerated().filter { programme.entries(for: screen).contains($0.element) }
        periods = SchedulePeriods(calendar: calendar, entries: entries.map { ($0.offset, $0.element) },
                                  quietHours: policy.quietHours)
        minDwell = policy.minDwellMilliseconds
        let playlists = [screen.defaultPlaylist] + entries.map(\.element.playlist)
        let maxDwell = playlists.flatMap { programme.playlists[$0]!.items.map(\.dwellMilliseconds) }.max()!
        settleTime = 2 * minDwell + 2 * max(maxDwell, minDwell)
    }

    /// What is on screen at `instant`, and until when.
    public func showing(at instant: Instant) -> Showing {
        let t = instant.millisecondsSince1970
        var result: Showing?
        replay(from: t, through: t) { showing in
            if showing.end.millisecondsSince1970 > t { result = showing }
        }
        return result!
    }

    /// Everything shown from `from` to `to`, in order; the first and last stretches are cut to the interval.
    public func timeline(from: Instant, to: Instant) -> [Showing] {
        guard from < to else { return [] }
        var result: [Showing] = []
        replay(from: from.millisecondsSince1970, through: to.millisecondsSince1970 - 1) { showing in
            guard showing.end > from, showing.start < to else { return }
            result.append(showing.with(start: Swift.max(showing.start, from), end: Swift.min(showing.end, to)))
        }
        return result
    }

    /// The luminance cap of the screen's policy at `instant`, in cd/m2 (night or day).
    public func luminanceCap(at instant: Instant) -> Int64 {
        let second = calendar.local(instant.tufTime).secondOfDay
        let night = policy.night
        let from = night.from.minutes * 60, to = night.to.minutes * 60
        let isNight = night.crossesMidnight ? (second >= from || second < to) : (second >= from && second < to)
        return isNight ? policy.nightLuminance : policy.dayLuminance
    }

    /// The highest output brightness (0 to 1) the policy allows at `instant`: its luminance cap
    /// over the panel's full luminance, or 1 when the panel's luminance is not given.
    public func brightnessCap(at instant: Instant) -> Double {
        guard let panel = screen.panelLuminance else { return 1 }
        return min(1, Double(luminanceCap(at: instant)) / Double(panel))
    }

    // MARK: - Replay

    /// A slide on screen during the replay.
    private struct OnScreen {
        /// Index into the replay's periods.
        var period: Int
        var item: Int
        /// The rotation slot whose end is `end`.
        var lastSlot: Int64
        var start: Int64
        var end: Int64
    }

    private struct Rotation {
        let period: SchedulePeriod
        let items: [(slide: String?, dwell: Int64)]
        let cycle: Int64

        func slotStart(_ slot: Int64) -> Int64 {
            let count = Int64(items.count)
            var start = period.start + (slot / count) * cycle
            for index in 0..<Int(slot % count) { start += items[index].dwell }
            return start
        }

        func slotEnd(_ slot: Int64) -> Int64 { slotStart(slot) + items[Int(slot % Int64(items.count))].dwell }

        func slot(containing t: Int64) -> Int64 {
            let elapsed = t - period.start
            var slot = (elapsed / cycle) * Int64(items.count)
            var rest = elapsed % cycle
            for item in items {
                if rest < item.dwell { break }
                rest -= item.dwell
                slot += 1
            }
            return slot
        }
    }

    private func rotation(of period: SchedulePeriod) -> Rotation {
        let playlistID: String? = switch period.source {
        case .entry: programme.schedule[period.entryIndex!].playlist
        case .defaultPlaylist: screen.defaultPlaylist
        case .quietHours: nil
        }
        let items: [(slide: String?, dwell: Int64)] = playlistID.map { id in
            programme.playlists[id]!.items.map { (Optional($0.slide), $0.dwellMilliseconds) }
        } ?? [(nil, minDwell)]
        return Rotation(period: period, items: items, cycle: items.reduce(0) { $0 + $1.dwell })
    }

    private func playlist(of period: SchedulePeriod) -> Playlist? {
        switch period.source {
        case .entry: programme.playlists[programme.schedule[period.entryIndex!].playlist]
        case .defaultPlaylist: programme.playlists[screen.defaultPlaylist]
        case .quietHours: nil
        }
    }

    /// Replays the screen from a point where its state is known, calling `emit` for every slide
    /// shown, in order, until one has started after `through`.
    private func replay(from: Int64, through: Int64, emit: (Showing) -> Void) {
        let margin = settleTime + 2 * Self.day
        let periods = self.periods.periods(from: from - margin, to: through + margin)
        let rotations = periods.map(rotation(of:))
        // Start from the latest period that had run for the settle time by `from`; failing that
        // (a schedule whose periods are all shorter than the settle time for days), from the
        // first period computed, as if it had started cleanly.
        let anchor: Int, startAt: Int64
        if let settled = periods.indices.last(where: { periods[$0].start + settleTime <= Swift.min(periods[$0].end, from) }) {
            anchor = settled
            startAt = periods[settled].end > from ? from : periods[settled].start + settleTime
        } else {
            anchor = 0
            startAt = periods[0].start
        }
        var slot = rotations[anchor].slot(containing: startAt)
        var current = OnScreen(period: anchor, item: Int(slot % Int64(rotations[anchor].items.count)), lastSlot: slot,
                               start: rotations[anchor].slotStart(slot), end: rotations[anchor].slotEnd(slot))
        var next = anchor + 1
        var fade = playlist(of: periods[anchor])?.fadeMilliseconds ?? 0

        func showing(_ screen: OnScreen, end: Int64) -> Showing {
            let period = periods[screen.period]
            return Showing(slide: rotations[screen.period].items[screen.item].slide, source: period.source,
                           playlist: playlist(of: period)?.id,
                           start: Instant(millisecondsSince1970: screen.start), end: Instant(millisecondsSince1970: end),
                           fadeMilliseconds: fade)
        }

        while current.start <= through, next < periods.count {
            if current.end < periods[next].start {
                emit(showing(current, end: current.end))
                let rotation = rotations[current.period]
                slot = current.lastSlot + 1
                current = OnScreen(period: current.period, item: Int(slot % Int64(rotation.items.count)), lastSlot: slot,
                                   start: current.end, end: rotation.slotEnd(slot))
                fade = playlist(of: rotation.period)?.fadeMilliseconds ?? 0
                continue
            }
            // The schedule changes before this slide ends. An interrupt may cut in once the
            // slide has had its minimum dwell; anything else waits for the slide's end.
            var switchAt = current.end
            var index = next
            while index < periods.count, periods[index].start < current.end {
                let candidate = Swift.max(periods[index].start, current.start + minDwell)
                if periods[index].interrupt, candidate < periods[index].end {
                    switchAt = Swift.min(switchAt, candidate)
                    break
                }
                index += 1
            }
            var target = next
            while target + 1 < periods.count, periods[target + 1].start <= switchAt { target += 1 }
            emit(showing(current, end: switchAt))
            let rotation = rotations[target]
            slot = rotation.slot(containing: switchAt)
            if rotation.slotEnd(slot) - switchAt < minDwell { slot += 1 }
            current = OnScreen(period: target, item: Int(slot % Int64(rotation.items.count)), lastSlot: slot,
                               start: switchAt, end: rotation.slotEnd(slot))
            fade = playlist(of: rotation.period)?.fadeMilliseconds ?? 0
            next = target + 1
        }
    }
}

extension Playlist {
    var fadeMilliseconds: Int64 {
        if case .fade(let milliseconds) = transition { return milliseconds }
        return 0
    }
}
