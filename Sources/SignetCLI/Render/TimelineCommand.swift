import ArgumentParser
import Foundation
import SignetCore

struct TimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "List what a screen shows between two times, with the reason for each change."
    )

    @Argument(help: "The programme document (JSON).") var programme: String
    @Option(help: "The screen's id.") var screen: String
    @Option(help: "From (same forms as render --at).") var from: String
    @Option(help: "To (at most 31 days after --from).") var to: String
    @Flag(help: "Every slide change, without joining repeats of the same slide.") var all = false
    @Flag(help: "JSON for tools.") var json = false

    func run() async throws {
        let programme = try ProgrammeFiles.loadProgramme(self.programme)
        let engine = try ProgrammeFiles.engine(programme, screen: screen)
        let from = try ProgrammeFiles.instant(self.from, on: engine, option: "--from")
        let to = try ProgrammeFiles.instant(self.to, on: engine, option: "--to")
        guard from < to else { throw CLIError("--to \(self.to) is not after --from \(self.from)") }
        guard to.millisecondsSince1970 - from.millisecondsSince1970 <= 31 * 86_400_000 else {
            throw CLIError("at most 31 days at a time")
        }
        var timeline = engine.timeline(from: from, to: to)
        if !all { timeline = timeline.merged() }
        if json {
            let rows = timeline.map(\.jsonValue)
            print(JSONWriter.pretty.string(.array(rows)), terminator: "")
            return
        }
        print("\(engine.screen.id) (\(engine.screen.timeZone), policy \(engine.policy.name), minimum dwell \(engine.policy.minDwellMilliseconds) ms)")
        for showing in timeline {
            let what = showing.slide.map { "slide \($0)" } ?? "black"
            print("\(showing.start.local(engine.calendar))  \(Self.duration(showing.durationMilliseconds).padding(toLength: 10, withPad: " ", startingAt: 0))  \(what.padding(toLength: 22, withPad: " ", startingAt: 0))  \(showing.source)")
        }
        print("\(to.local(engine.calendar))  end")
    }

    static func duration(_ milliseconds: Int64) -> String {
        let seconds = milliseconds / 1000
        if seconds >= 3600 { return "\(seconds / 3600)h\(seconds / 60 % 60 < 10 ? "0" : "")\(seconds / 60 % 60)m" }
        if seconds >= 60 { return "\(seconds / 60)m\(seconds % 60 < 10 ? "0" : "")\(seconds % 60)s" }
        return milliseconds % 1000 == 0 ? "\(seconds)s" : "\(milliseconds) ms"
    }
}
