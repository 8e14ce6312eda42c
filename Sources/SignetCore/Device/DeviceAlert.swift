/// A player's report that a frame it rendered, or the picture its capture saw, is not the approved
/// one, that it took a containment step, or that it refused an update as an attack would look
/// (a bad signature, a rollback, expired metadata): sent at once over the channel (promise S5:
/// noticed within a second), with the evidence, and recorded by the server as an `alert.display.*`
/// or `alert.update.refused` audit event in the transparency log.
public struct DeviceAlert: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The player's own frame does not match the release's fingerprint for the slide.
        case renderMismatch = "render_mismatch"
        /// The player's frame matches, the capture of the screen does not.
        case displayMismatch = "display_mismatch"
        /// The capture is missing, stopped or unreadable: nothing can be said about the screen.
        case captureFault = "capture_fault"
        /// The capture delivers frames again.
        case captureRestored = "capture_restored"
        /// A containment step (`step`): re-output, safe slide, black, retry, resume.
        case containment
        /// The TUF update was refused (`detail` says why); the programme in use stays.
        case updateRefused = "update_refused"
    }

    /// The audit action the server records it as.
    public var action: String { kind == .updateRefused ? "alert.update.refused" : "alert.display.\(kind.rawValue)" }

    /// What a mismatch says about where the fault is.
    public enum Classification: String, Sendable {
        case player = "player compromised or faulty"
        case downstream = "downstream fault or attack"
        case capture = "capture fault"
    }

    public var kind: Kind
    /// The containment action taken (kind `containment`).
    public var step: String?
    public var slide: String?
    public var release: Int64?
    /// The approved fingerprint, the player's frame's and the capture's (`v1:` and hex).
    public var expected: String?
    public var rendered: String?
    public var captured: String?
    /// The largest fingerprint difference that made it a mismatch (0 to 255).
    public var distance: Int64?
    public var detail: String?
    /// Milliseconds since 1970 by the device's clock.
    public var at: Int64

    public init(kind: Kind, step: String? = nil, slide: String? = nil, release: Int64? = nil, expected: String? = nil,
                rendered: String? = nil, captured: String? = nil, distance: Int64? = nil, detail: String? = nil, at: Int64) {
        self.kind = kind
        self.step = step
        self.slide = slide
        self.release = release
        self.expected = expected
        self.rendered = rendered
        self.captured = captured
        self.distance = distance
        self.detail = detail
        self.at = at
    }

    public var classification: Classification? {
        switch kind {
        case .renderMismatch: .player
        case .displayMismatch: .downstream
        case .captureFault: .capture
        case .captureRestored, .containment, .updateRefused: nil
        }
    }

    public func jsonObject() -> JSONObject {
        var object: JSONObject = ["kind": .string(kind.rawValue), "at": .integer(at)]
        if let classification { object["class"] = .string(classification.rawValue) }
        for (key, value) in [("step", step), ("slide", slide), ("expected", expected), ("rendered", rendered), ("captured", captured),
                             ("detail", detail)] {
            if let value { object[key] = .string(value) }
        }
        if let release { object["release"] = .integer(release) }
        if let distance { object["distance"] = .integer(distance) }
        return object
    }

    public init(json object: JSONObject) throws(ChannelMessageError) {
        try ChannelMessage.refuseUnknown(object, ["kind", "class", "step", "slide", "release", "expected", "rendered", "captured",
                                                  "distance", "detail", "at"])
        guard let name = object["kind"]?.stringValue, let kind = Kind(rawValue: name) else {
            throw ChannelMessageError("kind: one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        guard let at = object["at"]?.integerValue, at > 0 else { throw ChannelMessageError("at: milliseconds since 1970") }
        self.at = at
        step = try ChannelMessage.optionalText(object, "step")
        slide = try ChannelMessage.optionalText(object, "slide")
        detail = try ChannelMessage.optionalText(object, "detail", maxBytes: 500)
        expected = try Self.fingerprint(object, "expected")
        rendered = try Self.fingerprint(object, "rendered")
        captured = try Self.fingerprint(object, "captured")
        if let value = object["release"] {
            guard let release = value.integerValue, release > 0 else { throw ChannelMessageError("release: a programme version") }
            self.release = release
        }
        if let value = object["distance"] {
            guard let distance = value.integerValue, (0...255).contains(distance) else { throw ChannelMessageError("distance: 0 to 255") }
            self.distance = distance
        }
        // The class follows from the kind; a report that claims another is refused, not corrected.
        guard object["class"] == classification.map({ JSONValue.string($0.rawValue) }) else {
            throw ChannelMessageError("class: \(classification?.rawValue ?? "none") for kind \(kind.rawValue)")
        }
        guard kind != .containment || step != nil else { throw ChannelMessageError("step: required for a containment report") }
        guard kind != .updateRefused || detail != nil else { throw ChannelMessageError("detail: required for a refused update") }
    }

    /// `v1:` and 384 hex digits, as `Fingerprint.description` writes it.
    static func fingerprint(_ object: JSONObject, _ key: String) throws(ChannelMessageError) -> String? {
        guard let text = try ChannelMessage.optionalText(object, key, maxBytes: 387) else { return nil }
        guard text.utf8.count == 387, text.hasPrefix("v1:"), Hex.decode(String(text.dropFirst(3))) != nil else {
            throw ChannelMessageError("\(key): a fingerprint (v1: and 384 hex digits)")
        }
        return text
    }
}
