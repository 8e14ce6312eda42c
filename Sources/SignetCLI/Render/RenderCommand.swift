import ArgumentParser
import Foundation
import SignetCore
import SignetOutput
import SignetRender

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render what a screen shows at a given time to a PNG, as its player would."
    )

    @Argument(help: "The programme document (JSON).") var programme: String
    @Option(help: "The screen's id.") var screen: String
    @Option(help: "When: 2024-11-27T06:00:00Z, 2024-11-27T11:00+05:00, or 2024-11-27T11:00 on the screen's own clock.")
    var at: String
    @Option(help: "Where to write the PNG.") var out: String
    @Option(help: "A folder with the programme's assets (files named by sha256, or any names).") var assets: String?
    @Option(help: "The font file.") var font: String = ProgrammeFiles.defaultFont
    @Option(help: "Output brightness, 0 to 1 (scales light); never above the policy's cap for the time.") var brightness: Double = 1
    @Option(help: "The panel's gamma.") var gamma: Double = 2.2

    func run() async throws {
        let programme = try ProgrammeFiles.loadProgramme(self.programme)
        let engine = try ProgrammeFiles.engine(programme, screen: screen)
        let instant = try ProgrammeFiles.instant(at, on: engine, option: "--at")
        var frames = ScreenFrames(engine: engine, renderer: SlideRenderer(typeface: try ProgrammeFiles.typeface(font)),
                                  asset: ProgrammeFiles.AssetFolder(assets).bytes)
        var (canvas, showing) = try frames.frame(at: instant)
        for warning in frames.warnings { status("warning: \(warning)") }
        let elapsed = instant.millisecondsSince1970 - showing.start.millisecondsSince1970
        if showing.fadeMilliseconds > elapsed { status("mid-fade: \(elapsed) of \(showing.fadeMilliseconds) ms") }
        let cap = engine.brightnessCap(at: instant)
        if cap < brightness { status("brightness \(brightness) capped at \(cap) by policy \(engine.policy.name) (\(engine.luminanceCap(at: instant)) cd/m2 of the panel's \(engine.screen.panelLuminance ?? 0))") }
        canvas = OutputAdjustment(brightness: min(brightness, cap), gamma: gamma).apply(to: canvas)
        let png = try PNGEncoder.encode(canvas)
        try Data(png).write(to: URL(fileURLWithPath: out), options: .atomic)
        let what = showing.slide.map { "slide \($0)" } ?? "black"
        print("\(engine.screen.id) at \(instant) (\(instant.local(engine.calendar))): \(what), \(showing.source)")
        print("  on screen since \(showing.start.local(engine.calendar)), next change \(showing.end.local(engine.calendar))")
        print("  fingerprint \(Fingerprint(of: canvas))")
        print("  wrote \(out) (\(canvas.width)x\(canvas.height), \(png.count) bytes)")
    }
}

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Play a screen from a given time to outputs: PNG, a command's stdin, a framebuffer, DDP, sACN, Art-Net.",
        discussion: """
            Outputs: png:PATH, command:SHELL-COMMAND (raw RGB24 frames on stdin), \
            fb:PATH?format=xrgb8888|rgb565|bgr888&width=W&height=H[&stride=S], \
            ddp://HOST[:PORT], sacn://HOST|multicast[:PORT]?universe=N, artnet://HOST[:PORT]?universe=N; \
            network outputs take layout=rows|serpentine.
            """
    )

    @Argument(help: "The programme document (JSON).") var programme: String
    @Option(help: "The screen's id.") var screen: String
    @Option(help: "Start time (same forms as render --at); frames advance from it at --fps.") var at: String
    @Option(name: .customLong("output"), help: "Where frames go; repeat for several.") var outputs: [String]
    @Option(help: "How many frames.") var frames: Int = 1
    @Option(help: "Frames per second (DMX receivers expect at most 44).") var fps: Int = 25
    @Option(help: "A folder with the programme's assets.") var assets: String?
    @Option(help: "The font file.") var font: String = ProgrammeFiles.defaultFont
    @Option(help: "Output brightness, 0 to 1 (scales light); never above the policy's cap for the time.") var brightness: Double = 1
    @Option(help: "The panel's gamma.") var gamma: Double = 2.2

    func validate() throws {
        guard !outputs.isEmpty else { throw ValidationError("give at least one --output") }
        guard (1...1_000_000).contains(frames) else { throw ValidationError("--frames must be 1 to 1000000") }
        guard (1...240).contains(fps) else { throw ValidationError("--fps must be 1 to 240") }
    }

    func run() async throws {
        let programme = try ProgrammeFiles.loadProgramme(self.programme)
        let engine = try ProgrammeFiles.engine(programme, screen: screen)
        let start = try ProgrammeFiles.instant(at, on: engine, option: "--at")
        let addresses = try outputs.map { text throws(OutputError) in try OutputAddress(text) }
        // A stable sACN component id per screen: receivers track sources by it.
        let cid = Hex.decode(HashAlgorithm.digest("sha256", of: Array("signet screen \(screen)".utf8))!)!.prefix(16)
        let source = E131Source(cid: Array(cid), name: "Signet \(screen)")
        var sinks = try addresses.map { address throws(OutputError) in try address.open(source: source) }
        var screenFrames = ScreenFrames(engine: engine, renderer: SlideRenderer(typeface: try ProgrammeFiles.typeface(font)),
                                        asset: ProgrammeFiles.AssetFolder(assets).bytes)
        var adjustment = OutputAdjustment(brightness: min(brightness, engine.brightnessCap(at: start)), gamma: gamma)
        status("sending \(frames) frame(s) of \(screen) (\(engine.screen.width)x\(engine.screen.height)) at \(fps) fps to \(sinks.map(\.name).joined(separator: ", "))")
        var pacer = FramePacer(framesPerSecond: fps)
        var last: (Canvas, Showing)?
        var sent = 0
        let clock = ContinuousClock()
        let began = clock.now
        try await playFrames(to: &sinks, count: frames, pacer: &pacer, clock: clock) { index in
            let instant = start.adding(milliseconds: index * 1000 / Int64(fps))
            let (canvas, showing) = try screenFrames.frame(at: instant)
            // The policy's cap follows the time of day (day and night luminance).
            let allowed = min(brightness, engine.brightnessCap(at: instant))
            if allowed != adjustment.brightness { adjustment = OutputAdjustment(brightness: allowed, gamma: gamma) }
            last = (canvas, showing)
            sent += 1
            return (adjustment.rgb(canvas), canvas.width, canvas.height)
        }
        for warning in screenFrames.warnings { status("warning: \(warning)") }
        for sink in sinks { if let command = sink as? CommandSink { try command.finish() } }
        let elapsed = began.duration(to: clock.now)
        print("sent \(sent) frame(s) in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 2)))) (\(pacer.skipped) skipped as late)")
        if let (canvas, showing) = last {
            print("last frame: \(showing.slide.map { "slide \($0)" } ?? "black"), \(showing.source); fingerprint \(Fingerprint(of: canvas))")
        }
    }
}

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
            let rows: [JSONValue] = timeline.map { showing in
                var object: [(String, JSONValue)] = [
                    ("start", .string(showing.start.iso8601)), ("end", .string(showing.end.iso8601)),
                    ("slide", showing.slide.map(JSONValue.string) ?? .null), ("source", .string(showing.source.description)),
                    ("fade_ms", .integer(showing.fadeMilliseconds)),
                ]
                if let playlist = showing.playlist { object.append(("playlist", .string(playlist))) }
                return .object(JSONObject(object.map { (key: $0.0, value: $0.1) }))
            }
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
