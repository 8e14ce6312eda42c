/// A stretch of time with one winning source, before any dwell rule: from one boundary of the
/// schedule (an entry's day part starting or ending, quiet hours, local midnight) to the next.
struct SchedulePeriod: Sendable, Equatable {
    /// Milliseconds since 1970.
    let start: Int64
    let end: Int64
    let source: ScheduleSource
    /// The index of the winning entry in the programme's schedule, if an entry won.
    let entryIndex: Int?
    let interrupt: Bool
}

/// Computes the periods of one screen from its schedule entries, in its own time zone.
///
/// The winner of each moment: the active entry with the highest priority; between equal
/// priorities, the entry listed first in the schedule. During quiet hours only an interrupt entry
/// can show content; otherwise the screen is black. With no active entry, the default playlist.
/// Local midnight always starts a new period, so that every playlist's rotation is aligned to a
/// boundary at most one day back.
struct SchedulePeriods: Sendable {
    let calendar: ZonedCalendar
    let entries: [(index: Int, entry: ScheduleEntry)]
    let quietHours: [DayPart]

    private struct Window {
        let start: Int64, end: Int64
        /// Entry position in `entries`, or nil for quiet hours.
        let entry: Int?
    }

    /// Periods that together cover at least [from, to), split at every boundary.
    func periods(from: Int64, to: Int64) -> [SchedulePeriod] {
        // A day part that crosses midnight starts on the previous local date.
        let firstDate = LocalDate(daysSince1970: calendar.local(Instant(millisecondsSince1970: from).tufTime).date.daysSince1970 - 1)
        let lastDate = calendar.local(Instant(millisecondsSince1970: to).tufTime).date
        var points: [Int64] = []
        var midnights: Set<Int64> = []
        var windows: [Window] = []
        let allDay = [DayPart(from: LocalTime(minutes: 0)!, to: LocalTime("24:00", allowEndOfDay: true)!)]
        func milliseconds(_ date: LocalDate, _ time: LocalTime) -> Int64 {
            Instant(calendar.instant(date, time)).millisecondsSince1970
        }
        func add(_ date: LocalDate, _ parts: [DayPart], entry: Int?) {
            for part in parts {
                let endDate = part.crossesMidnight ? LocalDate(daysSince1970: date.daysSince1970 + 1) : date
                let start = milliseconds(date, part.from), end = milliseconds(endDate, part.to)
                // A day part inside a skipped hour (clocks going forward) is empty that day.
                if end > start { windows.append(Window(start: start, end: end, entry: entry)) }
            }
        }
        for day in firstDate.daysSince1970...lastDate.daysSince1970 + 1 {
            let date = LocalDate(daysSince1970: day)
            let midnight = Instant(calendar.instant(date, minutes: 0)).millisecondsSince1970
            midnights.insert(midnight)
            points.append(midnight)
            guard day <= lastDate.daysSince1970 else { continue }
            for (position, item) in entries.enumerated() where item.entry.isActive(on: date) {
                add(date, item.entry.dayParts.isEmpty ? allDay : item.entry.dayParts, entry: position)
            }
            add(date, quietHours, entry: nil)
        }
        let first = points.first!, last = points.last!
        for window in windows {
            points.append(max(first, min(last, window.start)))
            points.append(max(first, min(last, window.end)))
        }
        points = Array(Set(points)).sorted()
        var periods: [SchedulePeriod] = []
        for (start, end) in zip(points, points.dropFirst()) {
            let winner = self.winner(in: windows.filter { $0.start <= start && start < $0.end })
            if let last = periods.last, last.source == winner.source, !midnights.contains(start) {
                periods[periods.count - 1] = SchedulePeriod(start: last.start, end: end, source: last.source,
                                                            entryIndex: last.entryIndex, interrupt: last.interrupt)
            } else {
                periods.append(SchedulePeriod(start: start, end: end, source: winner.source,
                                              entryIndex: winner.entryIndex, interrupt: winner.interrupt))
            }
        }
        return periods
    }

    private func winner(in active: [Window]) -> (source: ScheduleSource, entryIndex: Int?, interrupt: Bool) {
        let quiet = active.contains { $0.entry == nil }
        var best: (index: Int, entry: ScheduleEntry)?
        for position in Set(active.compactMap(\.entry)).sorted() {
            let candidate = entries[position]
            if quiet, !candidate.entry.interrupt { continue }
            if let current = best, current.entry.priority >= candidate.entry.priority { continue }
            best = candidate
        }
        if let best { return (.entry(best.entry.id), best.index, best.entry.interrupt) }
        return (quiet ? .quietHours : .defaultPlaylist, nil, false)
    }
}

extension ScheduleEntry {
    /// Whether the entry runs on `date` (the local date on which a day part starts).
    func isActive(on date: LocalDate) -> Bool {
        if let from, date < from { return false }
        if let to, date > to { return false }
        return weekdays.isEmpty || weekdays.contains(date.weekday)
    }
}
