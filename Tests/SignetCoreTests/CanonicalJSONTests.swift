import Testing

@testable import SignetCore

@Suite("Canonical JSON (OLPC, as securesystemslib signs it)")
struct CanonicalJSONTests {
    func canonical(_ value: JSONValue) -> String { String(decoding: CanonicalJSON.encode(value), as: UTF8.self) }

    @Test func sortsKeysAndDropsWhitespace() throws {
        let value = try JSONParser().parse(#"{ "b" : 1, "a" : [ true, false, null ], "c": {"z": -5, "y": "s"} }"#)
        #expect(canonical(value) == #"{"a":[true,false,null],"b":1,"c":{"y":"s","z":-5}}"#)
    }

    @Test func ordersKeysByUTF8BytesNotSwiftStringOrder() throws {
        // "é" (C3 A9), "e\u{301}" (65 CC 81), "z" (7A): by bytes e+accent < z < é.
        // Swift's `<` would put é before z, and a Dictionary would merge é with e+accent.
        let value = try JSONParser().parse(Array("{\"é\":1,\"z\":2,\"e\u{301}\":3}".utf8))
        #expect(value.objectValue?.count == 3)
        let expected: [UInt8] = Array(#"{""#.utf8) + [0x65, 0xCC, 0x81] + Array(#"":3,"z":2,""#.utf8) + [0xC3, 0xA9]
            + Array(#"":1}"#.utf8)
        #expect(CanonicalJSON.encode(value) == expected)
    }

    @Test func keepsCanonicallyEquivalentKeysApart() throws {
        let object = JSONObject([("é", 1), ("e\u{301}", 2)])
        #expect(object.count == 2)
        #expect(object["é"] == 1)
        #expect(object["e\u{301}"] == 2)
        #expect(JSONValue.string("é") != JSONValue.string("e\u{301}"))
    }

    @Test func escapesOnlyQuoteAndBackslash() throws {
        let value: JSONValue = ["k": .string("a\"b\\c\nd\u{1}e/")]
        let expected: [UInt8] = Array(#"{"k":"a\"b\\c"#.utf8) + [0x0A] + Array("d".utf8) + [0x01] + Array(#"e/"}"#.utf8)
        #expect(CanonicalJSON.encode(value) == expected)
    }

    @Test func writesNonASCIIAsRawUTF8() {
        let value: JSONValue = ["қазақша": "Қош келдіңіз!", "русский": "Добро пожаловать"]
        #expect(canonical(value) == #"{"русский":"Добро пожаловать","қазақша":"Қош келдіңіз!"}"#)
    }

    @Test func writesIntegersExactly() {
        let value: JSONValue = [.integer(0), .integer(-1), .integer(Int64.max), .integer(Int64.min)]
        #expect(canonical(value) == "[0,-1,9223372036854775807,-9223372036854775808]")
    }

    @Test func emptyContainers() {
        #expect(canonical(["a": [], "b": .object(JSONObject())]) == #"{"a":[],"b":{}}"#)
    }

    @Test func writerEscapesControlCharactersForStrictParsers() throws {
        let value: JSONValue = ["pem": "-----BEGIN\nX\t\u{1}"]
        let text = JSONWriter.compact.string(value)
        #expect(text == #"{"pem":"-----BEGIN\nX\t\u0001"}"#)
        #expect(try JSONParser().parse(text) == value)
    }

    @Test func prettyWriterRoundTrips() throws {
        let value = try JSONParser().parse(#"{"b":[1,{"c":"é"}],"a":{},"d":[]}"#)
        let pretty = JSONWriter.pretty.string(value)
        #expect(pretty == "{\n \"a\": {},\n \"b\": [\n  1,\n  {\n   \"c\": \"é\"\n  }\n ],\n \"d\": []\n}\n")
        #expect(try JSONParser().parse(pretty) == value)
    }
}
