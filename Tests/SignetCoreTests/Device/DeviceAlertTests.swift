import Testing

@testable import SignetCore

@Suite("Device alerts: a mismatch, a capture fault, a containment step or a refused update, reported at once")
struct DeviceAlertTests {
    let approved = "v1:" + String(repeating: "ab", count: 192)
    let seen = "v1:" + String(repeating: "cd", count: 192)

    @Test func aDisplayMismatchTravelsWithItsClassAndEvidence() throws {
        let alert = DeviceAlert(kind: .displayMismatch, slide: "welcome", release: 2, expected: approved, rendered: approved, captured: seen,
                                distance: 171, at: 1_732_669_205_000)
        let bytes = DeviceReport.alert(alert).encoded()
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"at":1732669205000,"captured":"v1:cdcd"#))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""class":"downstream fault or attack""#))
        #expect(try DeviceReport(bytes: bytes) == .alert(alert))
        #expect(alert.action == "alert.display.display_mismatch")
        #expect(DeviceAlert(kind: .renderMismatch, at: 1).classification == .player)
        #expect(DeviceAlert(kind: .captureFault, at: 1).classification == .capture)
        #expect(DeviceAlert(kind: .updateRefused, detail: "x", at: 1).action == "alert.update.refused")
    }

    @Test func aReportThatDoesNotAddUpIsRefused() {
        let cases: [(String, String)] = [
            (#"{"type":"alert","kind":"display_mismatch","at":5}"#, "class: downstream fault or attack for kind display_mismatch"),
            (#"{"type":"alert","kind":"render_mismatch","class":"downstream fault or attack","at":5}"#,
             "class: player compromised or faulty for kind render_mismatch"),
            (#"{"type":"alert","kind":"containment","at":5}"#, "step: required for a containment report"),
            (#"{"type":"alert","kind":"update_refused","at":5}"#, "detail: required for a refused update"),
            (#"{"type":"alert","kind":"capture_fault","class":"capture fault","at":0}"#, "at: milliseconds since 1970"),
            (#"{"type":"alert","kind":"melted","at":5}"#,
             "kind: one of render_mismatch, display_mismatch, capture_fault, capture_restored, containment, update_refused"),
            (#"{"type":"alert","kind":"display_mismatch","class":"downstream fault or attack","captured":"v1:00","at":5}"#,
             "captured: a fingerprint (v1: and 384 hex digits)"),
            (#"{"type":"alert","kind":"containment","step":"blank","distance":300,"at":5}"#, "distance: 0 to 255"),
            (#"{"type":"alert","kind":"containment","step":"blank","at":5,"mood":"sad"}"#, "mood is not a field of this message"),
        ]
        for (text, reason) in cases {
            #expect(throws: ChannelMessageError(reason), "\(text)") { try DeviceReport(bytes: Array(text.utf8)) }
        }
    }
}
