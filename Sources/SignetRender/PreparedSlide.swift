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
        // An opaque image covering the whole screen hides everything below it: start there.
        let screen = PixelRect(x: 0, y: 0, width: width, height: height)
        let coveredAt = layers.lastIndex { layer in
            guard case .image(let image, let origin, let clip, true) = layer else { return false }
            return PixelRect(x: origin.x, y: origin.y, width: image.width, height: image.height)
                .intersection(clip)?.intersection(screen) == screen
        }
        // The background is composited over black: frames are opaque.
        let alpha = UInt32(background.alpha)
        var canvas = Canvas(width: width, height: height, fill: (UInt8(divideBy255(UInt32(background.red) * alpha)),
                                                                UInt8(divideBy255(UInt32(background.green) * alpha)),
                                                                UInt8(divideBy255(UInt32(background.blue) * alpha)), 255))
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
        return canvas
    }
}
