import Testing

@testable import SignetCore

@Suite("TUF expiry timestamps")
struct TUFTimeTests {
    @Test func parsesAndFormats() throws {
        let time = try #require(TUFTime(iso8601: "2024-11-27T10:15:30Z"))
        #expect(time.secondsSince1970 == 1_732_702_530)
        #expect(time.iso8601 == "2024-11-27T10:15:30Z")
        #expect(TUFTime(secondsSince1970: 0).iso8601 == "1970-01-01T00:00:00Z")
    }

    @Test func handlesLeapDays() {
        #expect(TUFTime(iso8601: "2024-02-29T00:00:00Z")?.iso8601 == "2024-02-29T00:00:00Z")
        #expect(TUFTime(iso8601: "2023-02-29T00:00:00Z") == nil)
        #expect(TUFTime(iso8601: "2000-02-29T00:00:00Z") != nil)
        #expect(TUFTime(iso8601: "2100-02-29T00:00:00Z") == nil)
    }

    @Test(arguments: ["2030-01-01T00:00:00+00:00", "2030-01-01 00:00:00Z", "2030-1-01T00:00:00Z",
                      "2030-13-01T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01T00:00:00.5Z", ""])
    func rejectsOtherForms(_ text: String) {
        #expect(TUFTime(iso8601: text) == nil)
    }
}
