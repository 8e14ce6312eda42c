import SignetCore
import Testing

@testable import SignetForensics

/// Where the fault was, named from the player's signed record of the moment (promise S5).
@Suite("Forensics names the class of a display fault")
struct DisplayVerdictTests {
    static let approved = "v1:" + String(repeating: "ff", count: 192)
    static let other = "v1:" + String(repeating: "00", count: 192)

    static func record(_ sequence: Int64, mode: PlayRecord.Mode = .programme, fingerprint: String = approved, capture: PlayRecord.Capture? = .match,
                       captured: String? = nil, contained: String? = nil) -> PlayRecord {
        PlayRecord(sequence: sequence, previous: PlayRecord.genesis, screen: "astana-1", mode: mode, slide: mode == .black ? nil : "welcome", release: 2,
                   start: 1_000 * sequence, end: 1_000 * sequence + 900, fingerprint: fingerprint, expected: approved, capture: capture,
                   captured: captured, contained: contained)
    }

    func verdict(_ record: PlayRecord, frameMatches: Bool? = true, chain: [PlayRecord] = []) -> String {
        ForensicExamination.classifyDisplay(record, frameMatches: frameMatches, chain: chain + [record]).verdict
    }

    @Test func eachClassFromTheRecord() {
        #expect(verdict(Self.record(1)) == "as approved")
        #expect(verdict(Self.record(1, capture: nil)) == "as approved")
        // The player's own frame is not the release's: whatever the capture says.
        #expect(verdict(Self.record(1, fingerprint: Self.other)) == "player compromised or faulty")
        #expect(verdict(Self.record(1), frameMatches: false) == "player compromised or faulty")
        #expect(verdict(Self.record(1, capture: .mismatch, captured: Self.other)) == "downstream fault or attack")
        #expect(verdict(Self.record(1, capture: .missing)) == "capture fault")
        #expect(verdict(Self.record(1, mode: .black, capture: .match)) == "commanded")
    }

    @Test func aContainedScreenIsNamedByWhatSetItOff() {
        let downstream = Self.record(1, capture: .mismatch, captured: Self.other)
        let held = Self.record(2, mode: .safe, contained: "safe slide")
        #expect(verdict(held, chain: [downstream]) == "downstream fault or attack")
        #expect(verdict(held, chain: [Self.record(1, fingerprint: Self.other)]) == "player compromised or faulty")
        #expect(ForensicExamination.classifyDisplay(held, frameMatches: nil, chain: [downstream, held]).detail
                == "contained (safe slide) after record 1 showed a mismatch; the capture confirms the screen shows it")
    }
}
