import ArgumentParser
import Foundation
import SignetCore
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
