import SignetCore

/// What one server replica tells the others, so that a player connected to any replica hears of
/// what was done on another within the second: a fan-out's commands (stored as batch `batch`,
/// ids `first` to `first + count - 1`, so that they are read by the table's key),
/// a publication, a re-enrolled screen (whose old key's channel must close everywhere). It names
/// the replica that sent it, which has done its own part already.
struct ReplicaNotice: Sendable, Equatable {
    enum Event: Sendable, Equatable {
        case commands(batch: Int64, first: Int64, count: Int)
        case release(role: String, version: Int64)
        case enrolled(screen: String)
    }

    let from: String
    let event: Event

    static let channel = "signet_replicas"
    /// More commands than any fleet has screens: a count beyond it is not a fan-out.
    static let maxCommands: Int64 = 10_000_000

    func encoded() -> String {
        var object: JSONObject = ["from": .string(from)]
        switch event {
        case .commands(let batch, let first, let count):
            object["kind"] = "commands"
            object["batch"] = .integer(batch)
            object["first"] = .integer(first)
            object["count"] = .integer(Int64(count))
        case .release(let role, let version):
            object["kind"] = "release"
            object["role"] = .string(role)
            object["version"] = .integer(version)
        case .enrolled(let screen):
            object["kind"] = "enrolled"
            object["screen"] = .string(screen)
        }
        return String(decoding: CanonicalJSON.encode(.object(object)), as: UTF8.self)
    }

    /// Parses a notice strictly: anything else is an error, and nothing is done.
    init(parsing payload: String) throws(ReplicaNoticeError) {
        guard let value = try? JSONParser(maxBytes: 8_000).parse(Array(payload.utf8)), let object = value.objectValue else {
            throw ReplicaNoticeError("not a JSON object")
        }
        guard let from = object["from"]?.stringValue, !from.isEmpty else { throw ReplicaNoticeError("from: missing") }
        func keys(_ expected: Set<String>) throws(ReplicaNoticeError) {
            let extra = Set(object.members.map(\.key)).subtracting(expected.union(["from", "kind"]))
            guard extra.isEmpty else { throw ReplicaNoticeError("unknown fields \(extra.sorted().joined(separator: ", "))") }
        }
        switch object["kind"]?.stringValue {
        case "commands":
            try keys(["batch", "first", "count"])
            guard let batch = object["batch"]?.integerValue, batch > 0 else { throw ReplicaNoticeError("batch: must be a positive integer") }
            guard let first = object["first"]?.integerValue, first > 0 else { throw ReplicaNoticeError("first: must be a positive integer") }
            guard let count = object["count"]?.integerValue, (1...Self.maxCommands).contains(count) else {
                throw ReplicaNoticeError("count: must be 1 to \(Self.maxCommands)")
            }
            event = .commands(batch: batch, first: first, count: Int(count))
        case "release":
            try keys(["role", "version"])
            guard let role = object["role"]?.stringValue, !role.isEmpty, let version = object["version"]?.integerValue, version > 0 else {
                throw ReplicaNoticeError("release: needs role and a positive version")
            }
            event = .release(role: role, version: version)
        case "enrolled":
            try keys(["screen"])
            guard let screen = object["screen"]?.stringValue, !screen.isEmpty else { throw ReplicaNoticeError("enrolled: needs screen") }
            event = .enrolled(screen: screen)
        default:
            throw ReplicaNoticeError("kind: must be commands, release or enrolled")
        }
        self.from = from
    }

    init(from: String, event: Event) {
        self.from = from
        self.event = event
    }
}

struct ReplicaNoticeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
