import SignetCore
import SignetTUFClient

/// What the fleet's commands have set on a player: blank, safe slide or the programme; the
/// brightness; lockdown (no new release is taken while it is on); and the last command sequence
/// accepted. It is saved after every command, so a restarted player stays as it was told and
/// still refuses a replayed command.
public struct ControlState: Sendable, Equatable {
    public enum Mode: String, Sendable { case programme, blank, safe }

    public var mode = Mode.programme
    /// Percent of the policy's cap.
    public var brightness: Int64 = 100
    public var lockdown = false
    public var lastSequence: Int64 = 0
    /// The id of the last command carried out: sent again because its acknowledgement was lost,
    /// it is acknowledged as done, not refused as a replay. (Any older one is refused: a later
    /// command has replaced its effect, and a replay must show on the server.)
    public var lastCommandID: Int64?

    public init() {}

    /// Carries out a command that `CommandGate` accepted.
    public mutating func apply(_ command: Command) {
        switch command.action {
        case .blank: mode = .blank
        case .safe: mode = .safe
        case .restore: mode = .programme
        case .brightness: brightness = command.level ?? brightness
        case .lockdown: lockdown = true
        case .unlock: lockdown = false
        case .screenshot: break
        }
        lastSequence = max(lastSequence, command.sequence)
        if command.sequence >= lastSequence { lastCommandID = command.id }
    }

    var json: JSONValue {
        .object(["mode": .string(mode.rawValue), "brightness": .integer(brightness), "lockdown": .bool(lockdown),
                 "last_sequence": .integer(lastSequence), "last_command": lastCommandID.map(JSONValue.integer) ?? .null])
    }

    init(json: JSONValue) throws {
        guard let object = json.objectValue, let mode = object["mode"]?.stringValue.flatMap(Mode.init(rawValue:)),
              let brightness = object["brightness"]?.integerValue, (1...100).contains(brightness),
              case .bool(let lockdown)? = object["lockdown"], let last = object["last_sequence"]?.integerValue, last >= 0
        else { throw PlayerError("the saved control state is damaged") }
        self.mode = mode
        self.brightness = brightness
        self.lockdown = lockdown
        lastSequence = last
        // Saved by players before it existed: none remembered.
        switch object["last_command"] {
        case nil, .null?: lastCommandID = nil
        case .integer(let id)?: lastCommandID = id
        default: throw PlayerError("the saved control state is damaged")
        }
    }
}

/// The control state on disk, replaced atomically.
public struct ControlStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The saved state; a fresh one if none was saved. A damaged file is an error, not a reset:
    /// forgetting the last sequence would let an old command be replayed.
    public func load() throws -> ControlState {
        guard let bytes = try AtomicFile.read(path, maxBytes: 64 * 1024) else { return ControlState() }
        do { return try ControlState(json: try JSONParser().parse(bytes)) } catch { throw PlayerError("\(path): \(error)") }
    }

    public func save(_ state: ControlState) throws {
        try AtomicFile.write(JSONWriter.compact.encode(state.json), to: path, permissions: 0o600)
    }

    /// What became of a command.
    public enum Outcome: Sendable, Equatable {
        /// Accepted and carried out; the state as saved.
        case carriedOut(Command, ControlState)
        /// Carried out before (its acknowledgement was lost and the server sent it again): nothing
        /// is done twice, and it is acknowledged as done again.
        case alreadyDone(Command)

        public var command: Command {
            switch self {
            case .carriedOut(let command, _), .alreadyDone(let command): command
            }
        }
    }

    /// Checks a command, carries it out and saves the result before anything is shown, so that an
    /// acknowledged command is never lost and never done twice.
    public func receive(_ bytes: some Collection<UInt8>, screen: String, keys: CommandKeys, now: TUFTime) throws -> Outcome {
        var state = try load()
        var gate = CommandGate(screen: screen, lastSequence: state.lastSequence)
        let command: Command
        do {
            command = try gate.accept(bytes, keys: keys, now: now)
        } catch {
            // The gate checks signature, screen and expiry before the sequence: a replay of the
            // last command carried out is that command again.
            if case .replayed(let sequence, let last) = error, sequence == last, let lastID = state.lastCommandID,
               let document = try? JSONParser().parse(bytes), let again = try? BatchedCommand(json: document).command, again.id == lastID {
                return .alreadyDone(again)
            }
            throw error
        }
        state.apply(command)
        try save(state)
        return .carriedOut(command, state)
    }
}
