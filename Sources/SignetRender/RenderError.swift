/// Why a slide cannot be rendered: what (an asset, a font, an element) and why.
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let subject: String
    public let reason: String

    public init(_ subject: String, _ reason: String) {
        self.subject = subject
        self.reason = reason
    }

    public var description: String { "\(subject): \(reason)" }
}
