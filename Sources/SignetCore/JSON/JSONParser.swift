import Foundation

/// Why a document is not acceptable JSON, and where.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case tooLarge(limit: Int)
        case tooDeep(limit: Int)
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidLiteral
        case floatNotAllowed
        case numberOutOfRange
        case invalidNumber
        case invalidEscape
        case invalidUnicodeEscape
        case controlCharacterInString
        case invalidUTF8
        case duplicateKey(String)
        case trailingData
    }

    public let reason: Reason
    /// Byte offset into the document where the problem was found.
    public let offset: Int

    public var description: String {
        let what: String = switch reason {
        case .tooLarge(let limit): "document is larger than \(limit) bytes"
        case .tooDeep(let limit): "nesting is deeper than \(limit) levels"
        case .unexpectedEnd: "unexpected end of document"
        case .unexpectedByte(let byte): "unexpected byte 0x\(String(byte, radix: 16))"
        case .invalidLiteral: "invalid literal"
        case .floatNotAllowed: "floating-point numbers are not allowed (canonical JSON is integers only)"
        case .numberOutOfRange: "integer outside the signed 64-bit range"
        case .invalidNumber: "invalid number"
        case .invalidEscape: "invalid escape sequence"
        case .invalidUnicodeEscape: "invalid \\u escape (lone surrogate or bad hex)"
        case .controlCharacterInString: "unescaped control character in string"
        case .invalidUTF8: "invalid UTF-8"
        case .duplicateKey(let key): "duplicate object key \"\(key)\""
        case .trailingData: "data after the JSON value"
        }
        return "invalid JSON at byte \(offset): \(what)"
    }
}

/// A strict RFC 8259 parser with limits, for JSON that arrives from outside.
///
/// Rejects: floats and exponents, integers outside Int64, duplicate keys (by UTF-8 bytes),
/// invalid UTF-8, unescaped control characters, lone surrogates, a byte-order mark, trailing data.
public struct JSONParser: Sendable {
    public var maxBytes: Int
    public var maxDepth: Int

    public init(maxBytes: Int = 32 * 1024 * 1024, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= maxBytes else {
            throw JSONParseError(reason: .tooLarge(limit: maxBytes), offset: maxBytes)
        }
        let array = Array(bytes)
        do {
            return try array.withUnsafeBufferPointer { buffer in
                var reader = Reader(bytes: buffer, maxDepth: maxDepth)
                return try reader.parseDocument()
            }
        } catch let error as JSONParseError {
            throw error
        } catch {
            fatalError("unreachable: JSON reader throws only JSONParseError")
        }
    }

    public func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(string.utf8))
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw fail(.trailingData) }
        return value
    }

    func fail(_ reason: JSONParseError.Reason) -> JSONParseError {
        JSONParseError(reason: reason, offset: position)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func peek() throws(JSONParseError) -> UInt8 {
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        return bytes[position]
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return .array(try parseArray())
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        case let byte: throw fail(.unexpectedByte(byte))
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail(.invalidLiteral) }
        for index in 0..<count where bytes[position + index] != literal.utf8Start[index] {
            throw fail(.invalidLiteral)
        }
        position += count
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else { throw fail(.tooDeep(limit: maxDepth)) }
        position += 1
    }

    mutating func parseObject() throws(JSONParseError) -> JSONObject {
        try enter()
        defer { depth -= 1 }
        var members: [JSONObject.Member] = []
        var seen = Set<UTF8Key>()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return JSONObject(uncheckedMembers: members)
        }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw fail(.unexpectedByte(bytes[position])) }
            let keyOffset = position
            let key = try parseString()
            // Small objects (most of them) are checked by a scan; larger ones through a set.
            let duplicate: Bool
            if members.count < 16 {
                duplicate = members.contains { $0.key.hasSameUTF8(as: key) }
            } else {
                if seen.isEmpty { seen = Set(members.map { UTF8Key($0.key) }) }
                duplicate = !seen.insert(UTF8Key(key)).inserted
            }
            guard !duplicate else { throw JSONParseError(reason: .duplicateKey(key), offset: keyOffset) }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw fail(.unexpectedByte(bytes[position])) }
            position += 1
            skipWhitespace()
            members.append(JSONObject.Member(key: key, value: try parseValue()))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return JSONObject(uncheckedMembers: members)
            case let byte: throw fail(.unexpectedByte(byte))
            }
        }
    }

    mutating func parseArray() throws(JSONParseError) -> [JSONValue] {
        try enter()
        defer { depth -= 1 }
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return elements
            case let byte: throw fail(.unexpectedByte(byte))
            }
        }
    }

    mutating func parseInteger() throws(JSONParseError) -> Int64 {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail(.invalidNumber) }
        if bytes[position] == UInt8(ascii: "0"), position + 1 < bytes.count, isDigit(bytes[position + 1]) {
            throw fail(.invalidNumber)  // leading zeros
        }
        // Accumulate negatively so that Int64.min is representable.
        var value: Int64 = 0
        var overflow = false
        while position < bytes.count, isDigit(bytes[position]) {
            let digit = Int64(bytes[position] &- UInt8(ascii: "0"))
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(digit)
            overflow = overflow || o1 || o2
            value = next
            position += 1
        }
        if position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                throw JSONParseError(reason: .floatNotAllowed, offset: start)
            default: break
            }
        }
        if negative {
            guard !overflow else { throw JSONParseError(reason: .numberOutOfRange, offset: start) }
            return value
        }
        guard !overflow, value != Int64.min else { throw JSONParseError(reason: .numberOutOfRange, offset: start) }
        return -value
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                guard let string = validatedString(UnsafeBufferPointer(rebasing: bytes[start..<position])) else {
                    throw JSONParseError(reason: .invalidUTF8, offset: start)
                }
                position += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail(.controlCharacterInString) }
            position += 1
        }
        var decoded = Array(bytes[start..<position])
        while true {
            guard position < bytes.count else { throw fail(.unexpectedEnd) }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = decoded.withUnsafeBufferPointer(validatedString) else {
                    throw JSONParseError(reason: .invalidUTF8, offset: start)
                }
                position += 1
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &decoded)
            case 0..<0x20:
                throw fail(.controlCharacterInString)
            default:
                decoded.append(byte)
                position += 1
            }
        }
    }

    /// The string these bytes encode, or nil if they are not valid UTF-8. Decoding replaces invalid
    /// sequences, so valid input is exactly the input whose bytes survive decoding unchanged; this is
    /// much faster than the generic `String(validating:)`, which showed in profiles.
    func validatedString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let string = String(decoding: bytes, as: UTF8.self)
        return string.utf8.withContiguousStorageIfAvailable { decoded in
            decoded.count == bytes.count && (bytes.isEmpty || memcmp(decoded.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        } ?? string.utf8.elementsEqual(bytes) ? string : nil
    }

    mutating func parseEscape(into decoded: inout [UInt8]) throws(JSONParseError) {
        position += 1
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        let simple: UInt8? = switch bytes[position] {
        case UInt8(ascii: "\""): 0x22
        case UInt8(ascii: "\\"): 0x5C
        case UInt8(ascii: "/"): 0x2F
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            decoded.append(simple)
            position += 1
            return
        }
        guard bytes[position] == UInt8(ascii: "u") else { throw fail(.invalidEscape) }
        position += 1
        var scalar = try readHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u")
            else { throw fail(.invalidUnicodeEscape) }
            position += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail(.invalidUnicodeEscape) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fail(.invalidUnicodeEscape)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw fail(.invalidUnicodeEscape) }
        decoded.append(contentsOf: UTF8.encode(unicode)!)
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail(.invalidUnicodeEscape) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail(.invalidUnicodeEscape)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
