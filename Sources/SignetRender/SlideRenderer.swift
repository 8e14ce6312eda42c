import SignetCore

/// Turns a programme's slides into frames at a screen's native resolution.
///
/// Deterministic: integer arithmetic throughout, so the same programme, assets and font give the
/// same bytes on every run of the same build. Pure apart from FreeType, libpng and libjpeg-turbo:
/// callers hand in asset bytes and font bytes.
public struct SlideRenderer: Sendable {
    public let typeface: Typeface

    public init(typeface: Typeface) { self.typeface = typeface }

    /// Black, for quiet hours and blanking.
    public static func black(width: Int, height: Int) -> PreparedSlide {
        PreparedSlide(width: width, height: height, background: Colour(red: 0, green: 0, blue: 0), layers: [], warnings: [])
    }

    /// Prepares `slideID` for `screen`. `asset` returns an asset's bytes by sha256; they are
    /// checked against the hash and the type and size the programme declares.
    public func prepare(_ slideID: String, of programme: Programme, for screen: Screen,
                        asset: (String) -> [UInt8]?) throws(RenderError) -> PreparedSlide {
        guard let slide = programme.slides[slideID] else { throw RenderError("slide \(slideID)", "not in the programme") }
        let screenRect = PixelRect(x: 0, y: 0, width: screen.width, height: screen.height)
        var layers: [(z: Int, order: Int, layer: PreparedSlide.Layer)] = []
        var warnings: [String] = []
        let scale = DesignScale(slide: slide, screen: screen)
        for (order, element) in slide.elements.enumerated() {
            let frame = element.frame
            let rect = scale.rect(frame)
            let place = "slides.\(slideID).elements[\(order)]"
            func add(_ layer: PreparedSlide.Layer) { layers.append((frame.z, order, layer)) }
            guard rect.intersection(screenRect) != nil else { continue }  // entirely off screen
            switch element {
            case .rectangle(_, let colour):
                add(.fill(rect, colour))
            case .stripes(_, let direction, let colours, let weights):
                for (index, band) in Self.bands(of: rect, direction: direction, weights: weights).enumerated() {
                    add(.fill(band, colours[index]))
                }
            case .image(_, let hash, let fit):
                let image = try decodeAsset(hash, declared: programme.assets[hash], asset: asset)
                let (scaled, origin) = Self.place(image, in: rect, fit: fit)
                add(.image(scaled, origin: origin, clip: rect, opaque: scaled.isOpaque))
            case .text(_, let text, let size, let colour, let align):
                let size = scale.textSize(size)
                let raster = try typeface.rasterize(text, size: size, width: rect.width, height: rect.height, align: align)
                // Each warning names the field to change: the size that was reduced, the text that was cut.
                if raster.size != size { warnings.append("\(place).size: text set at \(raster.size) px instead of \(size) px to fit its \(rect.width)x\(rect.height) box") }
                if raster.clipped { warnings.append("\(place).text: text does not fit its \(rect.width)x\(rect.height) box even at \(raster.size) px; lines cut") }
                for scalar in raster.missing {
                    warnings.append("\(place).text: font \(typeface.name) has no glyph for U+\(String(scalar.value, radix: 16, uppercase: true)); drawn as a box")
                }
                add(.text(raster, origin: (rect.x, rect.y), colour: colour))
            }
        }
        // Paint order: z, then document order.
        layers.sort { ($0.z, $0.order) < ($1.z, $1.order) }
        return PreparedSlide(width: screen.width, height: screen.height, background: slide.background,
                             layers: layers.map(\.layer), warnings: warnings)
    }

    private func decodeAsset(_ hash: String, declared: Asset?, asset: (String) -> [UInt8]?) throws(RenderError) -> Canvas {
        let subject = "asset \(hash.prefix(12))"
        guard let declared else { throw RenderError(subject, "not declared in the programme") }
        guard let bytes = asset(hash) else { throw RenderError(subject, "bytes not available") }
        guard HashAlgorithm.digest("sha256", of: bytes) == hash else { throw RenderError(subject, "bytes do not match their sha256") }
        guard let kind = ImageDecoder.Kind(sniffing: bytes), kind.rawValue == declared.kind else {
            throw RenderError(subject, "is not the \(declared.kind) the programme declares")
        }
        let image: Canvas
        do { image = try ImageDecoder.decode(bytes) } catch { throw RenderError(subject, error.description) }
        guard image.width == declared.width, image.height == declared.height else {
            throw RenderError(subject, "is \(image.width)x\(image.height), not the \(declared.width)x\(declared.height) the programme declares")
        }
        return image
    }

    /// Maps a slide's design canvas onto the screen's pixels.
    struct DesignScale {
        let fromWidth: Int, fromHeight: Int, toWidth: Int, toHeight: Int

        init(slide: Slide, screen: Screen) {
            fromWidth = slide.designWidth ?? screen.width
            fromHeight = slide.designHeight ?? screen.height
            toWidth = screen.width
            toHeight = screen.height
        }

        /// Edges are scaled, then the size taken between them, so that neighbouring elements stay
        /// neighbours with no gap or overlap.
        func rect(_ frame: Frame) -> PixelRect {
            func scaled(_ value: Int, _ from: Int, _ to: Int) -> Int {
                let product = value * to
                return product >= 0 ? product / from : -((-product + from - 1) / from)
            }
            let left = scaled(frame.x, fromWidth, toWidth), right = scaled(frame.x + frame.width, fromWidth, toWidth)
            let top = scaled(frame.y, fromHeight, toHeight), bottom = scaled(frame.y + frame.height, fromHeight, toHeight)
            return PixelRect(x: left, y: top, width: max(1, right - left), height: max(1, bottom - top))
        }

        /// Text keeps its proportions: it scales by the smaller of the two factors.
        func textSize(_ size: Int) -> Int {
            max(4, min(size * toWidth / fromWidth, size * toHeight / fromHeight))
        }
    }

    /// Bands of `rect` in proportion to `weights`; band edges fall on whole pixels, and together
    /// the bands cover the rectangle exactly.
    static func bands(of rect: PixelRect, direction: String, weights: [Int]) -> [PixelRect] {
        let total = weights.reduce(0, +)
        let length = direction == "horizontal" ? rect.height : rect.width
        var result: [PixelRect] = []
        var sum = 0, previous = 0
        for weight in weights {
            sum += weight
            let edge = (length * sum + total / 2) / total
            if direction == "horizontal" {
                result.append(PixelRect(x: rect.x, y: rect.y + previous, width: rect.width, height: edge - previous))
            } else {
                result.append(PixelRect(x: rect.x + previous, y: rect.y, width: edge - previous, height: rect.height))
            }
            previous = edge
        }
        return result
    }

    /// Scales an image for its frame: `stretch` fills it exactly, `fit` keeps the aspect and shows
    /// all of it (centred), `fill` keeps the aspect and covers the frame (centred, cropped), `none`
    /// keeps the pixels as they are (centred, cropped).
    static func place(_ image: Canvas, in rect: PixelRect, fit: String) -> (Canvas, (x: Int, y: Int)) {
        var width = rect.width, height = rect.height
        let widthLimited = rect.width * image.height <= rect.height * image.width
        switch fit {
        case "fit" where widthLimited, "fill" where !widthLimited:
            height = max(1, (image.height * rect.width + image.width / 2) / image.width)
        case "fit", "fill":
            width = max(1, (image.width * rect.height + image.height / 2) / image.height)
        case "none":
            width = image.width
            height = image.height
        default:
            break
        }
        let scaled = image.resampledPremultiplied(width: width, height: height)
        return (scaled, (rect.x + (rect.width - width) / 2, rect.y + (rect.height - height) / 2))
    }
}
