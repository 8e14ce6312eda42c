import SignetCore

/// The fingerprint of every slide of a programme at every screen size the programme has: what a
/// release carries in its programme target's custom metadata (`frames`) so that a player can
/// check each frame it renders against what the approvers saw and signed.
///
/// `{"960x480": {"safe": "v1:…", "welcome": "v1:…"}, "1920x1080": {…}}`. The renderer draws a
/// slide from the slide and the screen's size only (brightness is applied afterwards and a
/// fingerprint ignores it), so one table per size serves every screen of that size.
public struct ApprovedFrames: Sendable, Equatable {
    /// Size key (`WIDTHxHEIGHT`), then slide id.
    public private(set) var fingerprints: [String: [String: Fingerprint]]

    public init(fingerprints: [String: [String: Fingerprint]]) { self.fingerprints = fingerprints }

    public static func sizeKey(width: Int, height: Int) -> String { "\(width)x\(height)" }

    /// Renders every slide at every screen size of `programme`.
    public static func compute(_ programme: Programme, renderer: SlideRenderer,
                               asset: (String) -> [UInt8]?) throws(RenderError) -> ApprovedFrames {
        var table: [String: [String: Fingerprint]] = [:]
        for screen in programme.screens.values.sorted(by: { $0.id < $1.id }) {
            let key = sizeKey(width: screen.width, height: screen.height)
            guard table[key] == nil else { continue }
            var slides: [String: Fingerprint] = [:]
            for slide in programme.slides.keys.sorted() {
                slides[slide] = Fingerprint(of: try renderer.prepare(slide, of: programme, for: screen, asset: asset).render())
            }
            table[key] = slides
        }
        return ApprovedFrames(fingerprints: table)
    }

    /// The approved fingerprint of `slide` on a screen of this size.
    public func fingerprint(of slide: String, width: Int, height: Int) -> Fingerprint? {
        fingerprints[Self.sizeKey(width: width, height: height)]?[slide]
    }

    /// The slides of one size, as text (what a player keeps beside its programme).
    public func slides(width: Int, height: Int) -> [String: Fingerprint] {
        fingerprints[Self.sizeKey(width: width, height: height)] ?? [:]
    }

    public var json: JSONValue {
        var sizes = JSONObject()
        for (size, slides) in fingerprints {
            var object = JSONObject()
            for (slide, fingerprint) in slides { object[slide] = .string(fingerprint.description) }
            sizes[size] = .object(object)
        }
        return .object(sizes)
    }

    /// Parses the custom metadata member; anything malformed is refused with where it is.
    public init(json value: JSONValue) throws(RenderError) {
        guard let sizes = value.objectValue else { throw RenderError("frames", "an object of screen sizes") }
        var table: [String: [String: Fingerprint]] = [:]
        for (size, member) in sizes {
            let parts = size.split(separator: "x")
            guard parts.count == 2, parts.allSatisfy({ Int($0).map { $0 > 0 } ?? false }) else {
                throw RenderError("frames.\(size)", "a screen size WIDTHxHEIGHT")
            }
            guard let slides = member.objectValue else { throw RenderError("frames.\(size)", "an object of slide fingerprints") }
            var fingerprints: [String: Fingerprint] = [:]
            for (slide, text) in slides {
                guard let fingerprint = text.stringValue.flatMap(Fingerprint.init) else {
                    throw RenderError("frames.\(size).\(slide)", "a fingerprint (v1: and 384 hex digits)")
                }
                fingerprints[slide] = fingerprint
            }
            table[size] = fingerprints
        }
        fingerprints = table
    }
}
