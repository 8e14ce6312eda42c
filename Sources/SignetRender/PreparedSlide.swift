import SignetCore

/// A slide made ready for one screen: images decoded and scaled, text set, stripes cut into
/// rectangles, all in paint order. Rendering it is compositing only, so a player prepares a slide
/// once and renders it every frame.
public struct PreparedSlide: Sendable {
    enum Layer: Sendable {
        case fill(PixelRect, Colour)
        /// Premultiplied pixels placed at `origin`, shown inside `clip`.
        case image(Canvas, origin: (x: Int, y: Int), clip: PixelRect, opaque: Bool)
        case text(TextRaster, origin: (x: Int, y: Int), colour: Colour)
    }

    public let width: Int
    public let height: Int
    let background: Colour
    let layers: [Layer]
    /// Render-time fallbacks taken (text set smaller or cut, missing glyphs), naming the element.
    public let warnings: [String]

    /// The frame: RGBA8, opaque.
    public func render() -> Canvas {
        var canvas = Canvas(width: width, height: height)
        render(into: &canvas)
        return canvas
    }

    /// Renders into a frame of the slide's size, reusing its memory: a player keeps one per output.
    public func render(into canvas: inout Canvas) {
        precondition(canvas.width == width && canvas.height == height)
        // An opaque image covering the whole screen hides everything below it: start there, and
        // skip the background.
        let screen = PixelRect(x: 0, y: 0, width: width, height: height)
        let coveredAt = layers.lastIndex { layer in
            guard case .image(let image, let origin, let clip, true) = layer else { return false }
            return PixelRect(x: origin.x, y: origin.y, width: image.width, height: image.height)
                .intersection(clip)?.intersection(screen) == screen
        }
        if coveredAt == nil {
            // The background is composited over black: frames are opaque.
            let alpha = UInt32(background.alpha)
            canvas.fill(screen, red: UInt8(divideBy255(UInt32(background.red) * alpha)),
                        green: UInt8(divideBy255(UInt32(background.green) * alpha)),
                        blue: UInt8(divideBy255(UInt32(background.blue) * alpha)), alpha: 255)
        }
        for layer in layers[(coveredAt ?? 0)...] {
            switch layer {
            case .fill(let rect, let colour):
                canvas.fill(rect, red: colour.red, green: colour.green, blue: colour.blue, alpha: colour.alpha)
            case .image(let image, let origin, let clip, let opaque):
                canvas.draw(image, at: origin, clip: clip, opaque: opaque)
            case .text(let raster, let origin, let colour):
                canvas.draw(mask: raster.mask, maskWidth: raster.width, at: origin,
                            clip: PixelRect(x: origin.x, y: origin.y, width: raster.width, height: raster.height),
                            red: colour.red, green: colour.green, blue: colour.blue, alpha: colour.alpha)
            }
        }
    }
}
