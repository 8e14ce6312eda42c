@testable import SignetCore

/// Small programmes for schedule tests: one policy, screens in three zones, slides a to f.
enum ScheduleFixture {
    struct Entry {
        var id: String
        var playlist: String
        var target: String = #""screens": ["s"]"#
        var from: String?
        var to: String?
        var weekdays: [Int] = []
        var dayParts: [(String, String)] = []
        var priority = 10
        var interrupt = false

        var json: String {
            var fields = [#""id": "\#(id)""#, #""playlist": "\#(playlist)""#, target, #""priority": \#(priority)"#,
                          #""interrupt": \#(interrupt)"#]
            if let from { fields.append(#""from": "\#(from)""#) }
            if let to { fields.append(#""to": "\#(to)""#) }
            if !weekdays.isEmpty { fields.append(#""weekdays": \#(weekdays)"#) }
            if !dayParts.isEmpty {
                fields.append(#""day_parts": ["# + dayParts.map { #"{"from": "\#($0.0)", "to": "\#($0.1)"}"# }
                    .joined(separator: ", ") + "]")
            }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }

    /// `playlists` maps an id to its (slide, dwell ms) items.
    static func programme(zone: String = "Europe/Berlin", minDwell: Int = 10_000, quietHours: [(String, String)] = [],
                          playlists: [String: [(String, Int)]], defaultPlaylist: String = "default",
                          entries: [Entry]) throws -> Programme {
        let quiet = quietHours.map { #"{"from": "\#($0.0)", "to": "\#($0.1)"}"# }.joined(separator: ", ")
        let lists = playlists.keys.sorted().map { id in
            let items = playlists[id]!.map { #"{"slide": "\#($0.0)", "dwell_ms": \#($0.1)}"# }.joined(separator: ", ")
            return #""\#(id)": {"items": [\#(items)], "transition": {"type": "cut"}}"#
        }.joined(separator: ",\n")
        let slides = ["a", "b", "c", "d", "e", "f", "safe"].map { #""\#($0)": {"elements": []}"# }.joined(separator: ", ")
        let document = """
            {"format": 1,
             "policies": {"p": {"min_dwell_ms": \(minDwell), "transitions": ["cut"], "static_only": true,
                                "luminance": {"day_cd_m2": 5000, "night_cd_m2": 300, "night_from": "22:00", "night_to": "06:00"},
                                "quiet_hours": [\(quiet)]}},
             "screens": {
               "s": {"width": 64, "height": 32, "time_zone": "\(zone)", "groups": ["g"], "policy": "p",
                     "default_playlist": "\(defaultPlaylist)", "safe_slide": "safe"},
               "ny": {"width": 64, "height": 32, "time_zone": "America/New_York", "groups": ["g"], "policy": "p",
                      "default_playlist": "\(defaultPlaylist)", "safe_slide": "safe"},
               "almaty": {"width": 64, "height": 32, "time_zone": "Asia/Almaty", "groups": ["g"], "policy": "p",
                          "default_playlist": "\(defaultPlaylist)", "safe_slide": "safe"}},
             "assets": {},
             "slides": {\(slides)},
             "playlists": {\(lists)},
             "schedule": [\(entries.map(\.json).joined(separator: ",\n"))]}
            """
        return try Programme(bytes: Array(document.utf8))
    }
}

extension ScheduleEngine {
    /// A wall-clock time on this screen, `YYYY-MM-DDTHH:MM[:SS]`.
    func local(_ text: String) -> Instant { calendar.instant(LocalDateTime.parse(text)!) }

    func slide(at text: String) -> String? { showing(at: local(text)).slide }
}
