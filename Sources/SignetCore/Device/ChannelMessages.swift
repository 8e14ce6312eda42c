/// What travels on a device's channel (one WebSocket per player, opened by the player): one compact
/// JSON object per text frame, with a `type`. Both sides refuse anything they do not fully
/// understand, with a reason, and act on nothing they refused.
public struct ChannelMessageError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Server to device.
public enum ServerNotice: Sendable, Equatable {
    /// A signed command document (`Command`), exactly as the commands key signed it.
    case command(JSONValue)
    /// A release was published: refresh the TUF metadata now instead of at the next poll.
    case release(role: String, version: Int64)

    public func encoded() -> [UInt8] {
        switch self {
        case .command(let document):
            JSONWriter.compact.encode(.object(["type": "command", "command": document]))
        case .release(let role, let version):
            JSONWriter.compact.encode(.object(["type": "release", "role": .string(role), "version": .integer(version)]))
        }
    }

    /// The message for a command, from its signed bytes as they are (no re-encoding); the same
    /// bytes as `encoded()`, whose keys are sorted.
    public static func commandMessage(signed: [UInt8]) -> [UInt8] {
        Array(#"{"command":"#.utf8) + signed + Array(#","type":"command"}"#.utf8)
    }

    public init(bytes: some Collection<UInt8>) throws(ChannelMessageError) {
        let object = try ChannelMessage.object(bytes)
        switch object["type"]?.stringValue {
        case "command":
            try ChannelMessage.refuseUnknown(object, ["type", "command"])
            guard let document = object["command"], document.objectValue != nil else { throw ChannelMessageError("command: a signed command object") }
            self = .command(document)
        case "release":
            try ChannelMessage.refuseUnknown(object, ["type", "role", "version"])
            guard let role = object["role"]?.stringValue, !role.isEmpty, role.utf8.count <= 100 else { throw ChannelMessageError("role: a TUF role name") }
            guard let version = object["version"]?.integerValue, version > 0 else { throw ChannelMessageError("version: a metadata version") }
            self = .release(role: role, version: version)
        default:
            throw ChannelMessageError("type: command or release")
        }
    }
}

/// Device to server (over the channel, or over signed HTTP requests while the channel is down).
public enum DeviceReport: Sendable, Equatable {
    case acknowledgement(Acknowledgement)
    case heartbeat(Heartbeat)
    case alert(DeviceAlert)

    public func encoded() -> [UInt8] {
        var object: JSONObject
        switch self {
        case .acknowledgement(let ack): object = ack.jsonObject(); object["id"] = .integer(ack.command); object["type"] = "ack"
        case .heartbeat(let heartbeat): object = heartbeat.jsonObject(); object["type"] = "heartbeat"
        case .alert(let alert): object = alert.jsonObject(); object["type"] = "alert"
        }
        return JSONWriter.compact.encode(.object(object))
    }

    public init(bytes: some Collection<UInt8>) throws(ChannelMessageError) {
        var object = try ChannelMessage.object(bytes)
        let type = object["type"]?.stringValue
        object["type"] = nil
        switch type {
        case "ack":
            guard let id = object["id"]?.integerValue, id > 0 else { throw ChannelMessageError("id: the command's id") }
            object["id"] = nil
            self = .acknowledgement(try Acknowledgement(command: id, json: object))
        case "heartbeat":
            self = .heartbeat(try Heartbeat(json: object))
        case "alert":
            self = .alert(try DeviceAlert(json: object))
        default:
            throw ChannelMessageError("type: ack, heartbeat or alert")
        }
    }
}

/// A player's answer to a command: carried out, or refused and why (a refusal is reported, so
/// that a forged or replayed command shows up on the server, not only in the player's log).
public struct Acknowledgement: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case done
        case refused(String)
    }

    public let command: Int64
    public let result: Result

    public init(command: Int64, result: Result) {
        self.command = command
        self.result = result
    }

    /// `done`, or `refused: reason`, as the server records it.
    public var summary: String {
        switch result {
        case .done: "done"
        case .refused(let reason): "refused: \(reason)"
        }
    }

    public func jsonObject() -> JSONObject {
        switch result {
        case .done: ["result": "done"]
        case .refused(let reason): ["result": "refused", "reason": .string(reason)]
        }
    }

    /// The body of an acknowledgement (`result`, and `reason` for a refusal).
    public init(command: Int64, json object: JSONObject) throws(ChannelMessageError) {
        try ChannelMessage.refuseUnknown(object, ["result", "reason"])
        self.command = command
        switch object["result"]?.stringValue {
        case "done":
            guard object["reason"] == nil else { throw ChannelMessageError("reason: only for a refusal") }
            result = .done
        case "refused":
            guard let reason = object["reason"]?.stringValue, !reason.isEmpty, reason.utf8.count <= 300 else {
                throw ChannelMessageError("reason: why the command was refused (at most 300 bytes)")
            }
            result = .refused(reason)
        default:
            throw ChannelMessageError("result: done or refused")
        }
    }
}

/// A player's periodic report: what it shows and how it is.
public struct Heartbeat: Sendable, Equatable {
    /// The programme version of the release in use (as `GET /api/v1/releases` numbers them); nil
    /// before the first.
    public var release: Int64?
    /// What is on screen: a slide id, `safe`, or `black`.
    public var slide: String?
    /// The frame's fingerprint (hex), as the renderer computes it.
    public var fingerprint: String?
    /// `programme`, `blank` or `safe`: the state that commands set.
    public var mode: String?
    /// True while a lockdown command holds the screen to its release.
    public var lockdown: Bool
    public var uptimeSeconds: Int64
    /// Cache state: objects, bytes, and the like.
    public var cache: JSONObject?
    /// Set once this player has seen the transparency log fork or roll back (its reason).
    public var logAlert: String?
    /// What containment holds the screen to (`safe slide`, `black`), while it does.
    public var containment: String?
    /// What the screen's capture last saw: `match`, `mismatch` or `missing`; nil without a capture.
    public var capture: String?

    public init(release: Int64? = nil, slide: String? = nil, fingerprint: String? = nil, mode: String? = nil, lockdown: Bool = false,
                uptimeSeconds: Int64, cache: JSONObject? = nil, logAlert: String? = nil, containment: String? = nil, capture: String? = nil) {
        self.release = release
        self.slide = slide
        self.fingerprint = fingerprint
        self.mode = mode
        self.lockdown = lockdown
        self.uptimeSeconds = uptimeSeconds
        self.cache = cache
        self.logAlert = logAlert
        self.containment = containment
        self.capture = capture
    }

    public func jsonObject() -> JSONObject {
        var object = JSONObject()
        if let release { object["release"] = .integer(release) }
        if let slide { object["slide"] = .string(slide) }
        if let fingerprint { object["fingerprint"] = .string(fingerprint) }
        if let mode { object["mode"] = .string(mode) }
        if lockdown { object["lockdown"] = true }
        object["uptime_s"] = .integer(uptimeSeconds)
        if let cache { object["cache"] = .object(cache) }
        if let logAlert { object["log_alert"] = .string(logAlert) }
        if let containment { object["containment"] = .string(containment) }
        if let capture { object["capture"] = .string(capture) }
        return object
    }

    public init(json object: JSONObject) throws(ChannelMessageError) {
        try ChannelMessage.refuseUnknown(object, ["release", "slide", "fingerprint", "mode", "lockdown", "uptime_s", "cache", "log_alert",
                                                  "containment", "capture"])
        if let value = object["release"] {
            guard let release = value.integerValue, release >= 0 else { throw ChannelMessageError("release: a programme version (a whole number)") }
            self.release = release
        }
        slide = try ChannelMessage.optionalText(object, "slide")
        fingerprint = try ChannelMessage.optionalText(object, "fingerprint", maxBytes: 512)
        mode = try ChannelMessage.optionalText(object, "mode")
        logAlert = try ChannelMessage.optionalText(object, "log_alert", maxBytes: 512)
        if let mode, !["programme", "blank", "safe"].contains(mode) { throw ChannelMessageError("mode: programme, blank or safe") }
        containment = try ChannelMessage.optionalText(object, "containment")
        if let containment, !["safe slide", "black"].contains(containment) { throw ChannelMessageError("containment: safe slide or black") }
        capture = try ChannelMessage.optionalText(object, "capture")
        if let capture, !["match", "mismatch", "missing"].contains(capture) { throw ChannelMessageError("capture: match, mismatch or missing") }
        switch object["lockdown"] {
        case nil: lockdown = false
        case .bool(let value)?: lockdown = value
        default: throw ChannelMessageError("lockdown: true or false")
        }
        guard let uptime = object["uptime_s"]?.integerValue, uptime >= 0 else { throw ChannelMessageError("uptime_s: seconds since start") }
        uptimeSeconds = uptime
        if let value = object["cache"] {
            guard let cache = value.objectValue, cache.count <= 20 else { throw ChannelMessageError("cache: an object (at most 20 members)") }
            self.cache = cache
        }
    }
}

public enum ChannelMessage {
    public static let maxBytes = 64 * 1024

    static func object(_ bytes: some Collection<UInt8>) throws(ChannelMessageError) -> JSONObject {
        guard bytes.count <= maxBytes else { throw ChannelMessageError("a channel message is at most \(maxBytes) bytes") }
        let value: JSONValue
        do { value = try JSONParser().parse(bytes) } catch { throw ChannelMessageError("not JSON: \(error)") }
        guard let object = value.objectValue else { throw ChannelMessageError("a channel message is a JSON object") }
        return object
    }

    static func refuseUnknown(_ object: JSONObject, _ known: Set<String>) throws(ChannelMessageError) {
        if let unknown = object.first(where: { !known.contains($0.key) }) {
            throw ChannelMessageError("\(unknown.key) is not a field of this message")
        }
    }

    static func optionalText(_ object: JSONObject, _ key: String, maxBytes: Int = 200) throws(ChannelMessageError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= maxBytes else {
            throw ChannelMessageError("\(key): text of 1 to \(maxBytes) bytes")
        }
        return text
    }
}
