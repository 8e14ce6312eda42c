import ArgumentParser
import Foundation
import SignetCore
import SignetOutput
import SignetRender

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
        let source = E131Source.screen(screen)
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
