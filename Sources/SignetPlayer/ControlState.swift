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
    }

    var json: JSONValue {
        .object(["mode": .string(mode.rawValue), "brightness": .integer(brightness), "lockdown": .bool(lockdown),
                 "last_sequence": .integer(lastSequence)])
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

    /// Checks a command, carries it out and saves the result before anything is shown, so that an
    /// acknowledged command is never lost and never done twice.
    public func receive(_ bytes: some Collection<UInt8>, screen: String, keys: CommandKeys, now: TUFTime) throws -> (Command, ControlState) {
        var state = try load()
        var gate = CommandGate(screen: screen, lastSequence: state.lastSequence)
        let command = try gate.accept(bytes, keys: keys, now: now)
        state.apply(command)
        try save(state)
        return (command, state)
    }
}
