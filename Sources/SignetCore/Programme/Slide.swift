/// Where an element sits on the screen's pixel grid, and its stacking order (higher is in front).
public struct Frame: Sendable, Equatable {
    public let x: Int, y: Int, width: Int, height: Int, z: Int

    init(_ reader: ProgrammeReader) throws(ProgrammeError) {
        x = Int(try reader.integer("x", in: -16_384...16_384))
        y = Int(try reader.integer("y", in: -16_384...16_384))
        width = Int(try reader.integer("width", in: 1...16_384))
        height = Int(try reader.integer("height", in: 1...16_384))
        z = reader.object["z"] == nil ? 0 : Int(try reader.integer("z", in: -1000...1000))
    }
}

public enum Element: Sendable, Equatable {
    /// An image asset, scaled by `fit` (contain), `fill` (cover, cropped), `stretch` or `none`.
    case image(frame: Frame, asset: String, fit: String)
    case text(frame: Frame, text: String, size: Int, colour: Colour, align: String)
    case rectangle(frame: Frame, colour: Colour)
    /// Equal (or weighted) bands of colour: most national flags.
    case stripes(frame: Frame, direction: String, colours: [Colour], weights: [Int])

    public static let types = ["image", "text", "rectangle", "stripes"]

    public var frame: Frame {
        switch self {
        case .image(let frame, _, _), .text(let frame, _, _, _, _), .rectangle(let frame, _), .stripes(let frame, _, _, _): frame
        }
    }

    init(_ reader: ProgrammeReader) throws(ProgrammeError) {
        let frame = try Frame(reader)
        switch try reader.choice("type", Self.types) {
        case "image":
            self = .image(frame: frame, asset: try reader.string("asset"),
                          fit: try reader.choice("fit", ["fit", "fill", "stretch", "none"]))
        case "text":
            let text = try reader.string("text")
            guard !text.isEmpty else { throw ProgrammeError(reader.path("text"), "must not be empty") }
            self = .text(frame: frame, text: text, size: Int(try reader.integer("size", in: 4...2000)),
                         colour: try reader.colour("colour"), align: try reader.choice("align", ["left", "center", "right"]))
        case "rectangle":
            self = .rectangle(frame: frame, colour: try reader.colour("colour"))
        default:
            let direction = try reader.choice("direction", ["horizontal", "vertical"])
            var colours: [Colour] = []
            for (index, value) in try reader.array("colours").enumerated() {
                guard let text = value.stringValue, let colour = Colour(hex: text) else {
                    throw ProgrammeError("\(reader.path("colours"))[\(index)]", "is not a colour (#RRGGBB or #RRGGBBAA)")
                }
                colours.append(colour)
            }
            guard (1...64).contains(colours.count) else { throw ProgrammeError(reader.path("colours"), "must list 1 to 64 colours") }
            var weights = Array(repeating: 1, count: colours.count)
            if reader.object["weights"] != nil {
                let values = try reader.array("weights")
                guard values.count == colours.count else {
                    throw ProgrammeError(reader.path("weights"), "must give one weight per colour")
                }
                for (index, value) in values.enumerated() {
                    guard let weight = value.integerValue, (1...1000).contains(weight) else {
                        throw ProgrammeError("\(reader.path("weights"))[\(index)]", "must be an integer from 1 to 1000")
                    }
                    weights[index] = Int(weight)
                }
            }
            self = .stripes(frame: frame, direction: direction, colours: colours, weights: weights)
        }
    }
}

public struct Slide: Sendable, Equatable {
    public let id: String
    public let background: Colour
    public let elements: [Element]
    /// The canvas the slide was laid out on, if given: on a screen of another resolution every
    /// position, size and text size is scaled to fit (width and height independently). Without
    /// it, positions are the screen's own pixels.
    public let designWidth: Int?
    public let designHeight: Int?

    init(id: String, _ reader: ProgrammeReader) throws(ProgrammeError) {
        self.id = id
        background = reader.object["background"] == nil ? Colour(red: 0, green: 0, blue: 0) : try reader.colour("background")
        if reader.object["width"] != nil || reader.object["height"] != nil {
            designWidth = Int(try reader.integer("width", in: 1...16_384))
            designHeight = Int(try reader.integer("height", in: 1...16_384))
        } else {
            designWidth = nil
            designHeight = nil
        }
        var elements: [Element] = []
        for element in try reader.objectArray("elements") { elements.append(try Element(element)) }
        self.elements = elements
    }
}

public enum Transition: Sendable, Equatable {
    case cut
    case fade(milliseconds: Int64)

    var name: String {
        switch self {
        case .cut: "cut"
        case .fade: "fade"
        }
    }
}

public struct Playlist: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public let slide: String
        public let dwellMilliseconds: Int64
    }

    public let id: String
    public let items: [Item]
    public let transition: Transition

    init(id: String, _ reader: ProgrammeReader) throws(ProgrammeError) {
        self.id = id
        var items: [Item] = []
        for item in try reader.objectArray("items") {
            items.append(Item(slide: try item.string("slide"), dwellMilliseconds: try item.integer("dwell_ms", in: 1...86_400_000)))
        }
        guard !items.isEmpty else { throw ProgrammeError(reader.path("items"), "a playlist needs at least one slide") }
        self.items = items
        let transition = try reader.object("transition")
        switch try transition.choice("type", ["cut", "fade"]) {
        case "cut": self.transition = .cut
        default: self.transition = .fade(milliseconds: try transition.integer("ms", in: 1...10_000))
        }
    }
}

/// Places a playlist on screens and groups for dates, weekdays and day parts, in each screen's
/// own time zone. Higher priority wins; an interrupt takes over from everything below it.
public struct ScheduleEntry: Sendable, Equatable {
    public let id: String
    public let playlist: String
    public let screens: [String]
    public let groups: [String]
    public let from: LocalDate?
    public let to: LocalDate?
    /// ISO weekdays, 1 (Monday) to 7 (Sunday); all days when empty.
    public let weekdays: [Int]
    /// All day when empty.
    public let dayParts: [DayPart]
    public let priority: Int64
    public let interrupt: Bool

    init(index: Int, _ reader: ProgrammeReader) throws(ProgrammeError) {
        id = try reader.string("id")
        playlist = try reader.string("playlist")
        screens = reader.object["screens"] == nil ? [] : try reader.uniqueStringArray("screens")
        groups = reader.object["groups"] == nil ? [] : try reader.uniqueStringArray("groups")
        guard !screens.isEmpty || !groups.isEmpty else {
            throw ProgrammeError(reader.context, "an entry must target at least one screen or group")
        }
        from = reader.object["from"] == nil ? nil : try reader.date("from")
        to = reader.object["to"] == nil ? nil : try reader.date("to")
        if let from, let to, to < from { throw ProgrammeError(reader.path("to"), "\(to) is before \(from)") }
        var weekdays: [Int] = []
        if reader.object["weekdays"] != nil {
            for (position, value) in try reader.array("weekdays").enumerated() {
                guard let day = value.integerValue, (1...7).contains(day), !weekdays.contains(Int(day)) else {
                    throw ProgrammeError("\(reader.path("weekdays"))[\(position)]", "must be a distinct ISO weekday, 1 (Monday) to 7")
                }
                weekdays.append(Int(day))
            }
        }
        self.weekdays = weekdays
        var dayParts: [DayPart] = []
        if reader.object["day_parts"] != nil {
            for part in try reader.objectArray("day_parts") { dayParts.append(try DayPart(part)) }
        }
        self.dayParts = dayParts
        priority = try reader.integer("priority", in: 0...1_000_000)
        interrupt = reader.object["interrupt"] == nil ? false : try reader.bool("interrupt")
    }
}
