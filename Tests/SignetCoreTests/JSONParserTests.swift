import Testing

@testable import SignetCore

@Suite("Strict JSON parser")
struct JSONParserTests {
    func reason(_ bytes: [UInt8], parser: JSONParser = JSONParser()) -> JSONParseError.Reason? {
        do {
            _ = try parser.parse(bytes)
            return nil
        } catch {
            return error.reason
        }
    }

    func reason(_ text: String, parser: JSONParser = JSONParser()) -> JSONParseError.Reason? {
        reason(Array(text.utf8), parser: parser)
    }

    @Test(arguments: ["1.5", "1e3", "-0.0", "[1E2]", #"{"a":0.1}"#])
    func rejectsFloats(_ text: String) {
        #expect(reason(text) == .floatNotAllowed)
    }

    @Test func rejectsDuplicateKeys() {
        #expect(reason(#"{"a":1,"b":2,"a":3}"#) == .duplicateKey("a"))
        #expect(reason(#"{"a":1,"\u0061":2}"#) == .duplicateKey("a"))
    }

    @Test func acceptsKeysThatDifferOnlyByNormalisation() throws {
        let value = try JSONParser().parse(Array("{\"é\":1,\"e\u{301}\":2}".utf8))
        #expect(value.objectValue?.count == 2)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(reason([0x22, 0xC3, 0x28, 0x22]) == .invalidUTF8)  // bad continuation byte
        #expect(reason([0x22, 0xC0, 0xAF, 0x22]) == .invalidUTF8)  // overlong "/"
        #expect(reason([0x22, 0xED, 0xA0, 0x80, 0x22]) == .invalidUTF8)  // encoded surrogate
        #expect(reason([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]) == .invalidUTF8)  // above U+10FFFF
        #expect(reason([0x22, 0x5C, 0x6E, 0xFF, 0x22]) == .invalidUTF8)  // after an escape
    }

    @Test func rejectsLoneSurrogateEscapes() {
        #expect(reason(#""\ud800""#) == .invalidUnicodeEscape)
        #expect(reason(#""\udc00x""#) == .invalidUnicodeEscape)
        #expect(reason(#""\ud800\u0041""#) == .invalidUnicodeEscape)
    }

    @Test func decodesEscapes() throws {
        #expect(try JSONParser().parse(#""\u00e9\ud83d\ude00\n\/\"""#) == .string("é😀\n/\""))
    }

    @Test func rejectsRawControlCharacters() {
        #expect(reason("\"a\nb\"") == .controlCharacterInString)
    }

    @Test func enforcesNumberRange() throws {
        #expect(try JSONParser().parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try JSONParser().parse("9223372036854775807") == .integer(Int64.max))
        #expect(reason("9223372036854775808") == .numberOutOfRange)
        #expect(reason("-9223372036854775809") == .numberOutOfRange)
        #expect(reason("01") == .invalidNumber)
        #expect(reason("-") == .invalidNumber)
    }

    @Test func enforcesDepthAndSizeLimits() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(reason(deep) == .tooDeep(limit: 64))
        #expect(reason(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(reason("[1,2,3]", parser: JSONParser(maxBytes: 6)) == .tooLarge(limit: 6))
    }

    @Test func rejectsMalformedDocuments() {
        #expect(reason("") == .unexpectedEnd)
        #expect(reason("[1,]") == .unexpectedByte(UInt8(ascii: "]")))
        #expect(reason(#"{"a" 1}"#) == .unexpectedByte(UInt8(ascii: "1")))
        #expect(reason("tru") == .invalidLiteral)
        #expect(reason("[1] x") == .trailingData)
        #expect(reason([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .unexpectedByte(0xEF))
        #expect(reason(#""\x""#) == .invalidEscape)
    }

    @Test func errorsNameTheOffset() {
        do {
            _ = try JSONParser().parse(#"{"a":1,"a":2}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"invalid JSON at byte 7: duplicate object key "a""#)
        }
    }
}
