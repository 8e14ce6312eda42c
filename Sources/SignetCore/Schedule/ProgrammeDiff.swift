/// What a new programme changes on each screen, for the people who approve it: settings that
/// differ, and the stretches of time in a window when a screen would show something else.
///
/// Two timelines are compared slot by slot; a slot differs when its slide differs, or keeps its
/// id but not its content (then the after side reads "id (edited)"). Neighbouring differing slots
/// join into one span, so a changed rotation reads as one span, not thousands.
public struct ScreenDiff: Sendable, Equatable {
    public enum Kind: String, Sendable { case added, removed, changed }

    public struct Span: Sendable, Equatable {
        public let start: Instant
        public let end: Instant
        /// Slides shown in this span, in order of first appearance; "black" is a dark screen.
        public let before: [String]
        public let after: [String]
    }

    public let screen: String
    public let kind: Kind
    /// The screen's zone (in the new programme, or the old one for a removed screen).
    public let timeZone: String
    /// Fields of the screen itself that differ (size, zone, groups, policy, default playlist...).
    public let settings: [String]
    /// The first `ProgrammeDiff.maxSpans` differing spans in the window.
    public let spans: [Span]
    /// How many differing spans the window holds in all, and for how long.
    public let spanCount: Int
    public let changedMilliseconds: Int64
}

public enum ProgrammeDiff {
    public static let maxSpans = 20

    /// Every screen of either programme that changes in `[from, to)`, sorted by id; `before` nil is
    /// a first release. Screens whose schedule cannot be built are reported as changed settings.
    public static func compare(before: Programme?, after: Programme, from: Instant, to: Instant) -> [ScreenDiff] {
        let ids = Set(after.screens.keys).union(before?.screens.keys ?? [:].keys).sorted()
        return ids.compactMap { id -> ScreenDiff? in
            let old = before?.screens[id], new = after.screens[id]
            let oldEngine = old.flatMap { _ in try? ScheduleEngine(programme: before!, screen: id) }
            let newEngine = new.flatMap { _ in try? ScheduleEngine(programme: after, screen: id) }
            let oldTimeline = oldEngine?.timeline(from: from, to: to) ?? []
            let newTimeline = newEngine?.timeline(from: from, to: to) ?? []
            let (spans, count, changed) = differences(oldTimeline, before, newTimeline, after)
            let kind: ScreenDiff.Kind = old == nil ? .added : new == nil ? .removed : .changed
            let settings = kind == .changed ? settingChanges(old!, before!, new!, after) : []
            guard kind != .changed || !settings.isEmpty || count > 0 else { return nil }
            return ScreenDiff(screen: id, kind: kind, timeZone: (new ?? old)!.timeZone, settings: settings, spans: spans,
                              spanCount: count, changedMilliseconds: changed)
        }
    }

    static func settingChanges(_ old: Screen, _ before: Programme, _ new: Screen, _ after: Programme) -> [String] {
        var fields: [String] = []
        if old.width != new.width || old.height != new.height { fields.append("size") }
        if old.timeZone != new.timeZone { fields.append("time_zone") }
        if old.groups != new.groups { fields.append("groups") }
        if old.policy != new.policy || before.policies[old.policy] != after.policies[new.policy] { fields.append("policy") }
        if old.defaultPlaylist != new.defaultPlaylist { fields.append("default_playlist") }
        if old.safeSlide != new.safeSlide || before.slides[old.safeSlide] != after.slides[new.safeSlide] { fields.append("safe_slide") }
        if old.panelLuminance != new.panelLuminance { fields.append("panel_cd_m2") }
        return fields
    }

    /// Walks both timelines together over their common boundaries.
    static func differences(_ old: [Showing], _ before: Programme?, _ new: [Showing], _ after: Programme)
        -> (spans: [ScreenDiff.Span], count: Int, changed: Int64)
    {
        var spans: [ScreenDiff.Span] = [], count = 0, changed: Int64 = 0
        var open: (start: Instant, end: Instant, before: [String], after: [String])?
        func close() {
            guard let current = open else { return }
            count += 1
            if spans.count < maxSpans {
                spans.append(ScreenDiff.Span(start: current.start, end: current.end, before: current.before, after: current.after))
            }
            open = nil
        }
        var i = 0, j = 0
        while i < old.count || j < new.count {
            let a = i < old.count ? old[i] : nil, b = j < new.count ? new[j] : nil
            let start = max(a?.start ?? b!.start, b?.start ?? a!.start)
            let end = min(a?.end ?? b!.end, b?.end ?? a!.end)
            let oldLabel = a.map { $0.slide ?? "black" } ?? "nothing"
            var newLabel = b.map { $0.slide ?? "black" } ?? "nothing"
            let same = a?.slide == b?.slide && a?.slide.map { before?.slides[$0] == after.slides[$0] } ?? (a != nil && b != nil)
            if !same, let slide = b?.slide, a?.slide == slide { newLabel = "\(slide) (edited)" }
            if start < end, !same {
                changed += end.millisecondsSince1970 - start.millisecondsSince1970
                if var current = open, current.end == start {
                    current.end = end
                    if !current.before.contains(oldLabel) { current.before.append(oldLabel) }
                    if !current.after.contains(newLabel) { current.after.append(newLabel) }
                    open = current
                } else {
                    close()
                    open = (start, end, [oldLabel], [newLabel])
                }
            }
            // Step past whichever stretch ends first (both when they end together).
            if let a, a.end == end || b == nil { i += 1 }
            if let b, b.end == end || a == nil { j += 1 }
        }
        close()
        return (spans, count, changed)
    }
}

extension ScreenDiff {
    /// The first moment the change shows, for previews: the first span's start, else `fallback`.
    public func firstChange(or fallback: Instant) -> Instant { spans.first?.start ?? fallback }

    public var json: JSONValue {
        let calendar = ZonedCalendar(identifier: timeZone)
        return .object([
            "screen": .string(screen), "kind": .string(kind.rawValue), "time_zone": .string(timeZone),
            "settings": .array(settings.map(JSONValue.string)),
            "span_count": .integer(Int64(spanCount)), "changed_seconds": .integer(changedMilliseconds / 1000),
            "spans": .array(spans.map { span in
                var object: JSONObject = ["start": .string(span.start.iso8601), "end": .string(span.end.iso8601),
                                          "before": .array(span.before.map(JSONValue.string)), "after": .array(span.after.map(JSONValue.string))]
                if let calendar {
                    object["start_local"] = .string(span.start.local(calendar))
                    object["end_local"] = .string(span.end.local(calendar))
                }
                return .object(object)
            }),
        ])
    }

    /// For people: one line for the screen, then one per span in the screen's own time.
    public var lines: [String] {
        let calendar = ZonedCalendar(identifier: timeZone)
        var head = "\(screen): \(kind.rawValue)"
        if !settings.isEmpty { head += "; settings changed: \(settings.joined(separator: ", "))" }
        if spanCount > 0 { head += "; shows something else for \(Self.duration(changedMilliseconds)) in \(spanCount) span\(spanCount == 1 ? "" : "s")" }
        var lines = [head]
        for span in spans {
            let start = calendar.map { span.start.local($0) } ?? span.start.iso8601
            let end = calendar.map { span.end.local($0) } ?? span.end.iso8601
            lines.append("  \(start) to \(end): \(span.after.joined(separator: ", ")) instead of \(span.before.joined(separator: ", "))")
        }
        if spanCount > spans.count { lines.append("  ... and \(spanCount - spans.count) more") }
        return lines
    }

    static func duration(_ milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7200 { return "\(seconds / 60) min" }
        return "\(seconds / 3600) h \(seconds / 60 % 60) min"
    }
}

/// What a new programme changes in the document itself, whenever it takes effect: the part of a
/// diff that no time window can miss.
public struct DocumentChanges: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public var added: [String] = []
        public var removed: [String] = []
        public var changed: [String] = []
        public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
    }

    /// By section: screens, policies, assets, slides, playlists, schedule.
    public let sections: [(name: String, section: Section)]

    public static func == (lhs: DocumentChanges, rhs: DocumentChanges) -> Bool {
        lhs.sections.map(\.name) == rhs.sections.map(\.name) && lhs.sections.map(\.section) == rhs.sections.map(\.section)
    }

    public init(before: Programme?, after: Programme) {
        func compare<Value: Equatable>(_ old: [String: Value], _ new: [String: Value]) -> Section {
            var section = Section()
            for id in new.keys.sorted() {
                if let previous = old[id] { if previous != new[id]! { section.changed.append(id) } } else { section.added.append(id) }
            }
            section.removed = old.keys.filter { new[$0] == nil }.sorted()
            return section
        }
        let entries = { (programme: Programme?) in
            Dictionary(programme?.schedule.map { ($0.id, $0) } ?? [], uniquingKeysWith: { first, _ in first })
        }
        sections = [
            ("screens", compare(before?.screens ?? [:], after.screens)),
            ("policies", compare(before?.policies ?? [:], after.policies)),
            ("assets", compare(before?.assets ?? [:], after.assets)),
            ("slides", compare(before?.slides ?? [:], after.slides)),
            ("playlists", compare(before?.playlists ?? [:], after.playlists)),
            ("schedule", compare(entries(before), entries(after))),
        ]
    }

    public var isEmpty: Bool { sections.allSatisfy(\.section.isEmpty) }

    public var json: JSONValue {
        .object(JSONObject(sections.filter { !$0.section.isEmpty }.map { name, section in
            (key: name, value: .object(["added": .array(section.added.map(JSONValue.string)), "removed": .array(section.removed.map(JSONValue.string)),
                                        "changed": .array(section.changed.map(JSONValue.string))]))
        }))
    }

    /// `slides: changed welcome; added flags` per section that changed.
    public var lines: [String] {
        sections.filter { !$0.section.isEmpty }.map { name, section in
            let parts = [("added", section.added), ("changed", section.changed), ("removed", section.removed)]
                .filter { !$0.1.isEmpty }.map { "\($0.0) \($0.1.joined(separator: ", "))" }
            return "\(name): \(parts.joined(separator: "; "))"
        }
    }
}
