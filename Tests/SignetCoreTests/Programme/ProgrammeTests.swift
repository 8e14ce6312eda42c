import Foundation
import Testing

@testable import SignetCore

@Suite("Programme documents: parsing, references and policies")
struct ProgrammeTests {
    static let flagAsset = String(repeating: "ab", count: 32)

    /// Two screens in different zones, a roadside policy, and a state-visit interrupt.
    static let document = """
        {
          "format": 1,
          "policies": {
            "roadside-eu": {"min_dwell_ms": 10000, "transitions": ["cut"], "static_only": true,
                            "luminance": {"day_cd_m2": 5000, "night_cd_m2": 300, "night_from": "22:00", "night_to": "06:00"}},
            "facade-de": {"min_dwell_ms": 8000, "transitions": ["cut", "fade"], "max_fade_ms": 1000, "static_only": false,
                          "luminance": {"day_cd_m2": 6000, "night_cd_m2": 600, "night_from": "21:30", "night_to": "24:00"},
                          "quiet_hours": [{"from": "01:00", "to": "05:00"}]}
          },
          "screens": {
            "astana-1": {"width": 960, "height": 480, "time_zone": "Asia/Almaty", "groups": ["astana"],
                         "policy": "roadside-eu", "default_playlist": "default", "safe_slide": "safe"},
            "berlin-1": {"width": 1920, "height": 1080, "time_zone": "Europe/Berlin", "groups": ["berlin"],
                         "policy": "facade-de", "default_playlist": "default", "safe_slide": "safe"}
          },
          "assets": {"\(flagAsset)": {"type": "png", "width": 900, "height": 600}},
          "slides": {
            "safe": {"background": "#000000", "elements": []},
            "welcome": {"elements": [
              {"type": "stripes", "x": 0, "y": 0, "width": 480, "height": 320, "direction": "horizontal",
               "colours": ["#FFFFFF", "#0039A6", "#D52B1E"]},
              {"type": "image", "x": 480, "y": 0, "width": 480, "height": 320, "asset": "\(flagAsset)", "fit": "fit"},
              {"type": "text", "x": 0, "y": 330, "width": 960, "height": 150, "z": 2, "text": "Қош келдіңіз! Добро пожаловать!",
               "size": 48, "colour": "#FFFFFF", "align": "center"},
              {"type": "rectangle", "x": 0, "y": 320, "width": 960, "height": 160, "z": 1, "colour": "#00000080"}
            ]}
          },
          "playlists": {
            "default": {"items": [{"slide": "safe", "dwell_ms": 10000}], "transition": {"type": "cut"}},
            "visit": {"items": [{"slide": "welcome", "dwell_ms": 10000}], "transition": {"type": "cut"}}
          },
          "schedule": [
            {"id": "state-visit", "playlist": "visit", "groups": ["astana"], "from": "2024-11-27", "to": "2024-11-28",
             "day_parts": [{"from": "06:00", "to": "02:00"}], "priority": 100, "interrupt": true}
          ]
        }
        """

    func error(_ document: String) -> String? {
        do {
            _ = try Programme(bytes: Array(document.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    func replacing(_ old: String, with new: String) -> String {
        precondition(Self.document.contains(old), "fixture has no \(old)")
        return Self.document.replacingOccurrences(of: old, with: new)
    }

    @Test func parsesAndValidatesTheFixture() throws {
        let programme = try Programme(bytes: Array(Self.document.utf8))
        #expect(programme.screens["astana-1"]?.timeZone == "Asia/Almaty")
        #expect(programme.slides["welcome"]?.elements.count == 4)
        if case .stripes(_, "horizontal", let colours, let weights) = programme.slides["welcome"]!.elements[0] {
            #expect(colours.map(\.description) == ["#FFFFFF", "#0039A6", "#D52B1E"])
            #expect(weights == [1, 1, 1])
        } else {
            Issue.record("first element should be stripes")
        }
        let entry = try #require(programme.schedule.first)
        #expect(entry.dayParts.first?.crossesMidnight == true)
        #expect(programme.entries(for: programme.screens["astana-1"]!).map(\.id) == ["state-visit"])
        #expect(programme.entries(for: programme.screens["berlin-1"]!).isEmpty)
        #expect(programme.policies["facade-de"]?.night.to.minutes == 1440)
    }

    @Test func canonicalBytesAreStableAcrossARoundTrip() throws {
        let programme = try Programme(bytes: Array(Self.document.utf8))
        let again = try Programme(bytes: programme.canonicalBytes)
        #expect(again.canonicalBytes == programme.canonicalBytes)
        #expect(programme.canonicalBytes.starts(with: Array(#"{"assets":{"abab"#.utf8)))
        // A two-line text survives: control characters are escaped, not raw.
        let twoLines = try Programme(bytes: Array(replacing(#""text": "Қош келдіңіз! Добро пожаловать!""#,
                                                            with: #""text": "Қош келдіңіз!\nДобро пожаловать!""#).utf8))
        #expect(!twoLines.canonicalBytes.contains(0x0A))
        #expect(try Programme(bytes: twoLines.canonicalBytes).canonicalBytes == twoLines.canonicalBytes)
    }

    @Test(arguments: [
        (##""#0039A6""##, ##""#0039A""##, "programme.slides.welcome.elements[0].colours[1]: is not a colour (#RRGGBB or #RRGGBBAA)"),
        (#""type": "rectangle""#, #""type": "video""#,
         #"programme.slides.welcome.elements[3].type: "video" is not one of image, text, rectangle, stripes"#),
        (#""Asia/Almaty""#, #""Asia/Nowhere""#, #"programme.screens.astana-1.time_zone: "Asia/Nowhere" is not a time zone of the tz database"#),
        (#""slide": "welcome", "dwell_ms": 10000"#, #""slide": "welcome", "dwell_ms": 5000"#,
         "programme.playlists.visit.items[0].dwell_ms: 5000 ms is below the minimum dwell of 10000 ms set by policy roadside-eu for screen astana-1"),
        (#""visit": {"items": [{"slide": "welcome", "dwell_ms": 10000}], "transition": {"type": "cut"}}"#,
         #""visit": {"items": [{"slide": "welcome", "dwell_ms": 10000}], "transition": {"type": "fade", "ms": 500}}"#,
         "programme.playlists.visit.transition: fade is not among the transitions set by policy roadside-eu for screen astana-1"),
        (#""asset": "\#(flagAsset)""#, #""asset": "\#(String(repeating: "cd", count: 32))""#,
         "programme.slides.welcome.elements[1].asset: no asset with sha256 \(String(repeating: "cd", count: 32))"),
        (#""to": "2024-11-28""#, #""to": "2024-11-26""#, "programme.schedule[0].to: 2024-11-26 is before 2024-11-27"),
        (#""groups": ["astana"], "from""#, #""groups": ["almaty"], "from""#, #"programme.schedule[0].groups: no screen is in group "almaty""#),
        (#""night_from": "22:00""#, #""night_from": "22:60""#,
         #"programme.policies.roadside-eu.luminance.night_from: "22:60" is not a time of day (HH:MM)"#),
        (#""width": 960,"#, #""width": 96.5,"#, "programme: invalid JSON at byte 586: floating-point numbers are not allowed (canonical JSON is integers only)"),
        (#""default_playlist": "default", "safe_slide": "safe"}"#, #""default_playlist": "default", "safe_slide": "gone"}"#,
         #"programme.screens.astana-1.safe_slide: no slide named "gone""#),
        (#""format": 1"#, #""format": 2"#, "programme.format: format 2 is not supported (expected 1)"),
    ])
    func refusesWithTheFieldAndRule(_ old: String, _ new: String, _ expected: String) {
        #expect(error(replacing(old, with: new)) == expected)
    }

    @Test func valuesParseStrictly() {
        #expect(Colour(hex: "#D52B1E") == Colour(red: 0xD5, green: 0x2B, blue: 0x1E))
        #expect(Colour(hex: "#00000080")?.alpha == 0x80)
        #expect(Colour(hex: "D52B1E") == nil)
        #expect(Colour(hex: "#D52B1") == nil)
        #expect(LocalTime("23:59")?.minutes == 1439)
        #expect(LocalTime("24:00") == nil)
        #expect(LocalTime("24:00", allowEndOfDay: true)?.minutes == 1440)
        #expect(LocalTime("7:00") == nil)
        #expect(LocalDate("2024-02-29")?.weekday == 4)  // a Thursday
        #expect(LocalDate("2024-11-27")?.weekday == 3)  // a Wednesday
        #expect(LocalDate("2023-02-29") == nil)
    }
}
