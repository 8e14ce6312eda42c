/// A player's check of the commands that reach it: in a batch signed by the root's commands keys, for this
/// screen, newer than the last one accepted, not expired. Pure: the caller keeps `lastSequence`
/// on disk and supplies the time.
public struct CommandGate: Sendable {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case unsigned(String)
        case otherScreen(String)
        case expired(TUFTime)
        case replayed(sequence: Int64, last: Int64)

        public var description: String {
            switch self {
            case .malformed(let reason): "command refused: \(reason)"
            case .unsigned(let reason): "command refused: not signed by the commands key the root names (\(reason))"
            case .otherScreen(let screen): "command refused: it is for screen \(screen)"
            case .expired(let time): "command refused: it expired at \(time)"
            case .replayed(let sequence, let last): "command refused: sequence \(sequence) is not after \(last) (replayed or out of order)"
            }
        }
    }

    public let screen: String
    public private(set) var lastSequence: Int64

    public init(screen: String, lastSequence: Int64 = 0) {
        self.screen = screen
        self.lastSequence = lastSequence
    }

    /// The command in `bytes` (a batched command document) if it may be carried out now; a
    /// refusal changes nothing.
    public mutating func accept(_ bytes: some Collection<UInt8>, keys: CommandKeys, now: TUFTime,
                                verified: VerifiedBatches? = nil) throws(Refusal) -> Command {
        let document: JSONValue
        do { document = try JSONParser(maxBytes: max(bytes.count, 1)).parse(bytes) } catch { throw .malformed("\(error)") }
        return try accept(document: document, keys: keys, now: now, verified: verified)
    }

    /// The same check of a command document already parsed (from a channel message, say).
    public mutating func accept(document: JSONValue, keys: CommandKeys, now: TUFTime, verified: VerifiedBatches? = nil) throws(Refusal) -> Command {
        let batched: BatchedCommand
        do { batched = try BatchedCommand(json: document) } catch { throw .malformed(error.description) }
        do { try batched.verify(keys: keys, verified: verified) } catch { throw .unsigned(error.description) }
        let command = batched.command
        guard command.screen == screen else { throw .otherScreen(command.screen) }
        guard !command.header.isExpired(at: now) else { throw .expired(command.expires) }
        guard command.sequence > lastSequence else { throw .replayed(sequence: command.sequence, last: lastSequence) }
        lastSequence = command.sequence
        return command
    }
}
