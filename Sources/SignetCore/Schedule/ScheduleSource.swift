/// Why a screen shows what it shows: a schedule entry, its default playlist, or its policy's
/// quiet hours (a black screen).
public enum ScheduleSource: Sendable, Hashable, CustomStringConvertible {
    case entry(String)
    case defaultPlaylist
    case quietHours

    public var description: String {
        switch self {
        case .entry(let id): "entry \(id)"
        case .defaultPlaylist: "default playlist"
        case .quietHours: "quiet hours"
        }
    }
}

/// One stretch of a screen's timeline: a slide (or black, in quiet hours) from `start` until `end`.
public struct Showing: Sendable, Equatable, CustomStringConvertible {
    /// The slide on screen; nil is black (quiet hours).
    public let slide: String?
    public let source: ScheduleSource
    public let playlist: String?
    public let start: Instant
    /// When the screen next changes (or when this stretch of a timeline was cut off).
    public let end: Instant
    /// The fade into this slide from whatever was on screen before, in milliseconds; 0 is a cut.
    public let fadeMilliseconds: Int64

    public var durationMilliseconds: Int64 { end.millisecondsSince1970 - start.millisecondsSince1970 }

    public var description: String {
        "\(start) to \(end): \(slide.map { "slide \($0)" } ?? "black") (\(source)\(playlist.map { ", playlist \($0)" } ?? ""))"
    }

    /// `{"start", "end", "slide", "source", "fade_ms"[, "playlist"]}`, as `signet timeline --json`
    /// and the timeline API give it.
    public var jsonValue: JSONValue {
        var object: [(String, JSONValue)] = [
            ("start", .string(start.iso8601)), ("end", .string(end.iso8601)),
            ("slide", slide.map(JSONValue.string) ?? .null), ("source", .string(source.description)),
            ("fade_ms", .integer(fadeMilliseconds)),
        ]
        if let playlist { object.append(("playlist", .string(playlist))) }
        return .object(JSONObject(object.map { (key: $0.0, value: $0.1) }))
    }

    func with(start: Instant? = nil, end: Instant? = nil) -> Showing {
        Showing(slide: slide, source: source, playlist: playlist, start: start ?? self.start, end: end ?? self.end,
                fadeMilliseconds: fadeMilliseconds)
    }
}

extension [Showing] {
    /// Joins neighbours that show the same slide for the same reason (a one-slide playlist
    /// repeating, or restarting at midnight): what a person reading a timeline wants to see.
    public func merged() -> [Showing] {
        var result: [Showing] = []
        for showing in self {
            if let last = result.last, last.end == showing.start, last.slide == showing.slide, last.source == showing.source {
                result[result.count - 1] = last.with(end: showing.end)
            } else {
                result.append(showing)
            }
        }
        return result
    }
}
