import Foundation

/// A C2SP tlog checkpoint (c2sp.org/tlog-checkpoint): the note text `ORIGIN\nSIZE\nBASE64(ROOT)\n`
/// and any extension lines, signed as a note by the log's key, whose name is the origin.
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: Int64
    public let root: [UInt8]
    public let extensions: [String]

    public init(origin: String, size: Int64, root: [UInt8], extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    public var text: String {
        ([origin, String(size), Data(root).base64EncodedString()] + extensions).map { $0 + "\n" }.joined()
    }

    public init(text: String) throws(LogFormatError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4 else { throw LogFormatError("checkpoint: origin, size and root hash lines") }
        lines.removeLast()
        guard !lines[0].isEmpty else { throw LogFormatError("checkpoint: an empty origin") }
        guard let size = Int64(lines[1]), size >= 0, String(size) == lines[1] else {
            throw LogFormatError("checkpoint: the size is a decimal number without leading zeros")
        }
        guard let root = Data(base64Encoded: String(lines[2])), root.count == 32 else { throw LogFormatError("checkpoint: the root hash is 32 bytes in base64") }
        guard lines.dropFirst(3).allSatisfy({ !$0.isEmpty }) else { throw LogFormatError("checkpoint: an empty extension line") }
        origin = String(lines[0])
        self.size = size
        self.root = Array(root)
        extensions = lines.dropFirst(3).map(String.init)
    }

    /// Signs the checkpoint with the log's key (whose name must be the origin).
    public func signed(with key: NoteKey) throws -> SignedNote {
        guard key.name == origin else { throw LogFormatError("checkpoint: the log key's name must be the origin \(origin)") }
        return try SignedNote.sign(text, with: key)
    }

    /// Parses a signed checkpoint and checks the log's signature and origin.
    public init(note: String, verifiedBy key: NoteKey) throws(LogFormatError) {
        try self.init(text: try SignedNote(note).verified(by: key))
        guard origin == key.name else { throw LogFormatError("checkpoint: origin \(origin) is not the log \(key.name)") }
    }
}
