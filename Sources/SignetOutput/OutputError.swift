/// Why an output could not be opened or written.
public struct OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let output: String
    public let reason: String

    public init(_ output: String, _ reason: String) {
        self.output = output
        self.reason = reason
    }

    public var description: String { "output \(output): \(reason)" }
}
