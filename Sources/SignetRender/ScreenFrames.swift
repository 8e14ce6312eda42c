import SignetCore

/// The frames of one screen over time: the schedule engine picks the slide, the renderer draws it,
/// and a fade blends it with the slide before. Prepared slides are kept, so a frame in the middle
/// of a slide costs one composite.
public struct ScreenFrames {
    public let engine: ScheduleEngine
    public let renderer: SlideRenderer
    let asset: (String) -> [UInt8]?
    private var prepared: [String: PreparedSlide] = [:]
    /// Render-time fallbacks taken so far (see `PreparedSlide.warnings`).
    public private(set) var warnings: [String] = []

    public init(engine: ScheduleEngine, renderer: SlideRenderer, asset: @escaping (String) -> [UInt8]?) {
        self.engine = engine
        self.renderer = renderer
        self.asset = asset
    }

    /// The frame at `instant`, and what the schedule says is showing.
    public mutating func frame(at instant: Instant) throws(RenderError) -> (canvas: Canvas, showing: Showing) {
        let showing = engine.showing(at: instant)
        var canvas = try render(showing.slide)
        let elapsed = instant.millisecondsSince1970 - showing.start.millisecondsSince1970
        if showing.fadeMilliseconds > elapsed {
            let before = try render(engine.showing(at: showing.start.adding(milliseconds: -1)).slide)
            canvas = Canvas.blend(from: before, to: canvas, progress: Int(elapsed * 65_536 / showing.fadeMilliseconds))
        }
        return (canvas, showing)
    }

    /// One slide of the programme (the safe slide, say), or black for nil, outside the schedule.
    public mutating func still(_ slide: String?) throws(RenderError) -> Canvas { try render(slide) }

    private mutating func render(_ slide: String?) throws(RenderError) -> Canvas {
        let screen = engine.screen
        guard let slide else { return SlideRenderer.black(width: screen.width, height: screen.height).render() }
        if let ready = prepared[slide] { return ready.render() }
        let ready = try renderer.prepare(slide, of: engine.programme, for: screen, asset: asset)
        warnings += ready.warnings
        prepared[slide] = ready
        return ready.render()
    }
}
