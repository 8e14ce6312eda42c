/// Why TUF metadata or a target was refused. `description` is one line, for people.
public struct TUFError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Not well-formed JSON, or not the shape the specification requires.
        case malformed
        case wrongType
        case unsupportedSpecVersion
        case threshold
        case badVersion
        /// A new timestamp with the version already trusted: not an error, the update stops here.
        case equalVersion
        case expired
        case lengthMismatch
        case hashMismatch
        case missingMetadata
        /// The server answered with a status other than 200.
        case httpStatus(Int)
        case download
        case storage
        case workflow
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The same error with `prefix` in front of its message: items of large tables are parsed with
    /// an empty context, and the table adds the item's path only when something is wrong.
    func prefixed(_ prefix: String) -> TUFError { TUFError(kind, prefix + message) }
}
