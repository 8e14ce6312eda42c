/// OLPC canonical JSON, the encoding that TUF signs (securesystemslib's `encode_canonical`).
///
/// Object keys sorted by their UTF-8 bytes, no whitespace, integers only, and in strings only
/// backslash and double quote escaped: every other character, control characters and non-ASCII
/// included, is written as raw UTF-8. This is not RFC 8785.
public enum CanonicalJSON {
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, to: &output)
        return output
    }

    static func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .integer(let integer): output.append(contentsOf: String(integer).utf8)
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in sortedByUTF8(object.members).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(member.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            // Copy runs without quotes or backslashes in one go.
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                output.append(UInt8(ascii: "\\"))
                runStart = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// Members ordered by the UTF-8 bytes of their keys (= Unicode code point order), not by Swift's
/// `String <`, which compares canonical equivalents and orders "é" after "z".
func sortedByUTF8(_ members: [JSONObject.Member]) -> [JSONObject.Member] {
    // Files written by Signet (and by python-tuf) are already sorted: check before sorting.
    let inOrder = members.indices.dropFirst().allSatisfy { members[$0 - 1].key.precedesInUTF8(members[$0].key) }
    return inOrder ? members : members.sorted { $0.key.precedesInUTF8($1.key) }
}
