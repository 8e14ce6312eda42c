/// Standard JSON text for files that people and other tools read (RFC 8259 escaping).
///
/// Metadata files are written this way rather than in canonical form, because canonical JSON keeps
/// control characters raw (PEM keys hold newlines) and strict parsers such as Python's reject that.
/// Keys are sorted by UTF-8 bytes so that output is stable.
public struct JSONWriter: Sendable {
    /// Indentation per level; nil writes compact JSON.
    public var indent: Int?

    public init(indent: Int? = nil) { self.indent = indent }

    public static let compact = JSONWriter()
    public static let pretty = JSONWriter(indent: 1)

    public func encode(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        write(value, level: 0, to: &output)
        if indent != nil { output.append(0x0A) }
        return output
    }

    public func string(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    private func newline(_ level: Int, _ output: inout [UInt8]) {
        guard let indent else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    private func write(_ value: JSONValue, level: Int, to output: inout [UInt8]) {
        switch value {
        case .null, .bool, .integer: CanonicalJSON.write(value, to: &output)
        case .string(let string): Self.writeEscaped(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1, &output)
                write(element, level: level + 1, to: &output)
            }
            if !elements.isEmpty { newline(level, &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in sortedByUTF8(object.members).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1, &output)
                Self.writeEscaped(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                if indent != nil { output.append(UInt8(ascii: " ")) }
                write(member.value, level: level + 1, to: &output)
            }
            if !object.isEmpty { newline(level, &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeEscaped(_ string: String, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
