import Foundation
import SignetCore

/// One scenario of a drill, as its table row.
struct DrillRow {
    let id: String
    let name: String
    var outcome: String
    /// From the start of the attack or fault to the first evidence of it at the server.
    var detect: String
    /// From the first wrong picture to the screen showing only approved content again.
    var contain: String
    /// What the panel showed, in order.
    var showed: String
    /// What forensics must name for the scenario's moment.
    let expectedVerdict: String
    var verdict = "not examined"
    var moment: Instant?
    var passed: Bool

    init(id: String, name: String, outcome: String, detect: String, contain: String, showed: String, expectedVerdict: String,
         moment: Instant?, passed: Bool) {
        self.id = id
        self.name = name
        self.outcome = outcome
        self.detect = detect
        self.contain = contain
        self.showed = showed
        self.expectedVerdict = expectedVerdict
        self.moment = moment
        self.passed = passed
    }

    static func seconds(_ duration: Duration) -> String {
        let parts = duration.components
        return seconds(milliseconds: parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000)
    }

    static func seconds(milliseconds: Int64) -> String {
        "\(milliseconds / 1000).\(String(format: "%03d", abs(milliseconds % 1000))) s"
    }

    static func printTable(_ rows: [DrillRow]) {
        section("The drill: astana-1")
        for row in rows {
            print("\n  \(row.id). \(row.name)  [\(row.passed ? "PASS" : "FAIL")]")
            print("     outcome:        \(row.outcome)")
            print("     detected:       \(row.detect)")
            print("     contained:      \(row.contain)")
            print("     screen showed:  \(row.showed)")
            print("     forensics:      \(row.verdict)" + (row.verdict == row.expectedVerdict ? "" : " (expected \(row.expectedVerdict))"))
        }
    }
}
