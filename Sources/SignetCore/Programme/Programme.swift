import Foundation

/// What screens show: screens, policies, assets, slides, playlists and the schedule.
///
/// Parsed from the strict JSON of `JSONParser` and kept as that JSON, whose canonical encoding
/// (`canonicalBytes`) is what approvers sign as a TUF target. `Programme(json:)` checks each field; `validate()` checks
/// references between parts and every screen's policy. Errors name the exact field and rule.
public struct Programme: Sendable {
    public static let formatVersion: Int64 = 1

    public let document: JSONValue
    public let policies: [String: PolicyProfile]
    public let screens: [String: Screen]
    public let assets: [String: Asset]
    public let slides: [String: Slide]
    public let playlists: [String: Playlist]
    public let schedule: [ScheduleEntry]

    /// The one byte form of the document, which approvers sign as a TUF target: keys sorted by
    /// UTF-8 bytes, no whitespace, RFC 8259 escapes. (OLPC canonical JSON would keep the control
    /// characters of a two-line text raw, and strict JSON parsers, ours included, refuse that.)
    public var canonicalBytes: [UInt8] { JSONWriter.compact.encode(document) }

    public init(bytes: some Collection<UInt8>) throws(ProgrammeError) {
        let value: JSONValue
        do { value = try JSONParser(maxBytes: 8 * 1024 * 1024).parse(bytes) } catch {
            throw ProgrammeError("programme", error.description)
        }
        try self.init(json: value)
        try validate()
    }

    public init(json value: JSONValue) throws(ProgrammeError) {
        let root = try ProgrammeReader(value, context: "programme")
        let version = try root.integer("format")
        guard version == Self.formatVersion else {
            throw ProgrammeError(root.path("format"), "format \(version) is not supported (expected \(Self.formatVersion))")
        }
        document = value
        var policies: [String: PolicyProfile] = [:]
        for (name, reader) in try root.objects("policies") { policies[name] = try PolicyProfile(name: name, reader) }
        var screens: [String: Screen] = [:]
        for (id, reader) in try root.objects("screens") { screens[id] = try Screen(id: id, reader) }
        var assets: [String: Asset] = [:]
        for (hash, reader) in try root.objects("assets") { assets[hash] = try Asset(sha256: hash, reader) }
        var slides: [String: Slide] = [:]
        for (id, reader) in try root.objects("slides") { slides[id] = try Slide(id: id, reader) }
        var playlists: [String: Playlist] = [:]
        for (id, reader) in try root.objects("playlists") { playlists[id] = try Playlist(id: id, reader) }
        var schedule: [ScheduleEntry] = []
        for (index, reader) in try root.objectArray("schedule").enumerated() {
            schedule.append(try ScheduleEntry(index: index, reader))
        }
        self.policies = policies
        self.screens = screens
        self.assets = assets
        self.slides = slides
        self.playlists = playlists
        self.schedule = schedule
    }
}

/// Per-market rules a screen's content must keep (see research/led-output.md section 4).
public struct PolicyProfile: Sendable, Equatable {
    public let name: String
    public let minDwellMilliseconds: Int64
    /// `cut`, and `fade` where the market allows it.
    public let transitions: [String]
    public let maxFadeMilliseconds: Int64
    /// Roadside mode: still images only.
    public let staticOnly: Bool
    public let dayLuminance: Int64
    public let nightLuminance: Int64
    public let night: DayPart
    public let quietHours: [DayPart]

    init(name: String, _ reader: ProgrammeReader) throws(ProgrammeError) {
        self.name = name
        minDwellMilliseconds = try reader.integer("min_dwell_ms", in: 1...86_400_000)
        let transitions = try reader.uniqueStringArray("transitions")
        for (index, transition) in transitions.enumerated() where !["cut", "fade"].contains(transition) {
            throw ProgrammeError("\(reader.path("transitions"))[\(index)]", "\"\(transition)\" is not cut or fade")
        }
        guard !transitions.isEmpty else { throw ProgrammeError(reader.path("transitions"), "must allow at least one transition") }
        self.transitions = transitions
        maxFadeMilliseconds = reader.object["max_fade_ms"] == nil ? 0 : try reader.integer("max_fade_ms", in: 0...10_000)
        staticOnly = try reader.bool("static_only")
        let luminance = try reader.object("luminance")
        dayLuminance = try luminance.integer("day_cd_m2", in: 1...20_000)
        nightLuminance = try luminance.integer("night_cd_m2", in: 1...20_000)
        night = DayPart(from: try luminance.time("night_from"), to: try luminance.time("night_to", allowEndOfDay: true))
        var quietHours: [DayPart] = []
        if reader.object["quiet_hours"] != nil {
            for part in try reader.objectArray("quiet_hours") { quietHours.append(try DayPart(part)) }
        }
        self.quietHours = quietHours
    }
}

/// A span of wall-clock time in a day; `to` at or before `from` means it crosses midnight.
public struct DayPart: Sendable, Equatable {
    public let from: LocalTime
    public let to: LocalTime

    public init(from: LocalTime, to: LocalTime) {
        self.from = from
        self.to = to
    }

    init(_ reader: ProgrammeReader) throws(ProgrammeError) {
        from = try reader.time("from")
        to = try reader.time("to", allowEndOfDay: true)
        guard from != to else { throw ProgrammeError(reader.path("to"), "a day part must not be empty") }
    }

    public var crossesMidnight: Bool { to <= from }
}

public struct Screen: Sendable, Equatable {
    public let id: String
    public let width: Int
    public let height: Int
    public let timeZone: String
    public let groups: [String]
    public let policy: String
    public let defaultPlaylist: String
    public let safeSlide: String
    /// The panel's luminance at full drive, in cd/m2, if known: then the policy's day and night
    /// caps limit output brightness to cap / panel.
    public let panelLuminance: Int64?

    init(id: String, _ reader: ProgrammeReader) throws(ProgrammeError) {
        self.id = id
        width = Int(try reader.integer("width", in: 1...16_384))
        height = Int(try reader.integer("height", in: 1...16_384))
        timeZone = try reader.string("time_zone")
        guard TimeZone(identifier: timeZone) != nil else {
            throw ProgrammeError(reader.path("time_zone"), "\"\(timeZone)\" is not a time zone of the tz database")
        }
        groups = reader.object["groups"] == nil ? [] : try reader.uniqueStringArray("groups")
        policy = try reader.string("policy")
        defaultPlaylist = try reader.string("default_playlist")
        safeSlide = try reader.string("safe_slide")
        panelLuminance = reader.object["panel_cd_m2"] == nil ? nil : try reader.integer("panel_cd_m2", in: 1...20_000)
    }
}

/// A content-addressed image: the key is the hex sha256 of its bytes.
public struct Asset: Sendable, Equatable {
    public let sha256: String
    public let kind: String
    public let width: Int
    public let height: Int

    init(sha256: String, _ reader: ProgrammeReader) throws(ProgrammeError) {
        guard HashAlgorithm.isSHA256Hex(sha256) else {
            throw ProgrammeError(reader.context, "an asset's key must be its sha256 in 64 lowercase hex digits")
        }
        self.sha256 = sha256
        kind = try reader.choice("type", ["png", "jpeg"])
        width = Int(try reader.integer("width", in: 1...16_384))
        height = Int(try reader.integer("height", in: 1...16_384))
    }
}
