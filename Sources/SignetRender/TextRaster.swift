import CFreeType

/// Text set in a box: an 8-bit coverage mask the size of the box, and what had to give.
struct TextRaster: Sendable {
    let mask: [UInt8]
    let width: Int
    let height: Int
    /// The pixel size used: the requested one, or smaller if the text did not fit.
    let size: Int
    /// Lines that did not fit even at the smallest size were left out.
    let clipped: Bool
    /// Characters the font has no glyph for (drawn as the font's missing-glyph box).
    let missing: [Unicode.Scalar]
}

extension Typeface {
    /// The smallest size text shrinks to before lines are cut.
    static let minimumSize = 6

    /// Sets `text` in a `width` x `height` box: words wrap at spaces (a word wider than the box
    /// breaks between characters), `\n` starts a new line, lines align left, centre or right, and
    /// the block is centred vertically. If the text does not fit at `size`, it is set smaller, down
    /// to `minimumSize`; what still does not fit is cut off.
    func rasterize(_ text: String, size: Int, width: Int, height: Int, align: String) throws(RenderError) -> TextRaster {
        try withFace { face throws(RenderError) -> TextRaster in
            var candidate = size
            while true {
                guard FT_Set_Pixel_Sizes(face, 0, FT_UInt(candidate)) == 0 else {
                    throw RenderError("font \(name)", "cannot be set at \(candidate) px")
                }
                var glyphs = GlyphCache(face: face)
                let lines = try glyphs.wrap(text, width: width)
                let metrics = face.pointee.size.pointee.metrics
                let lineHeight = Int((metrics.height + 63) >> 6)
                let fits = lines.count * lineHeight <= height
                if fits || candidate <= Self.minimumSize {
                    return try glyphs.draw(lines, width: width, height: height, lineHeight: lineHeight,
                                           ascender: Int((metrics.ascender + 63) >> 6), align: align, size: candidate)
                }
                candidate = max(Self.minimumSize, candidate - max(1, candidate / 10))
            }
        }
    }
}

/// Glyphs of one face at one size, loaded once each.
private struct GlyphCache {
    struct Glyph {
        let index: FT_UInt
        /// 26.6 fixed point.
        let advance: Int
        let left: Int, top: Int, width: Int, rows: Int
        let coverage: [UInt8]
    }

    struct Line {
        var glyphs: [Glyph] = []
        var advance = 0
    }

    let face: FT_Face
    var glyphs: [Unicode.Scalar: Glyph] = [:]
    var missing: [Unicode.Scalar] = []

    init(face: FT_Face) { self.face = face }

    mutating func glyph(_ scalar: Unicode.Scalar) throws(RenderError) -> Glyph {
        if let glyph = glyphs[scalar] { return glyph }
        let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
        if index == 0, !missing.contains(scalar) { missing.append(scalar) }
        guard FT_Load_Glyph(face, index, FT_Int32(FT_LOAD_RENDER)) == 0 else {
            throw RenderError("font", "cannot render U+\(String(scalar.value, radix: 16, uppercase: true))")
        }
        let slot = face.pointee.glyph.pointee
        let bitmap = slot.bitmap
        let width = Int(bitmap.width), rows = Int(bitmap.rows), pitch = Int(bitmap.pitch)
        var coverage = [UInt8](repeating: 0, count: width * rows)
        if let buffer = bitmap.buffer, width > 0, rows > 0, bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue) {
            for row in 0..<rows {
                let source = pitch >= 0 ? buffer + row * pitch : buffer + (rows - 1 - row) * -pitch
                for column in 0..<width { coverage[row * width + column] = source[column] }
            }
        }
        let glyph = Glyph(index: index, advance: Int(slot.advance.x), left: Int(slot.bitmap_left), top: Int(slot.bitmap_top),
                          width: width, rows: rows, coverage: coverage)
        glyphs[scalar] = glyph
        return glyph
    }

    func kerning(_ left: Glyph?, _ right: Glyph) -> Int {
        guard let left, (face.pointee.face_flags & FT_Long(FT_FACE_FLAG_KERNING)) != 0 else { return 0 }
        var delta = FT_Vector()
        guard FT_Get_Kerning(face, left.index, right.index, FT_UInt(FT_KERNING_DEFAULT.rawValue), &delta) == 0 else { return 0 }
        return Int(delta.x)
    }

    func measure(_ glyphs: [Glyph]) -> Int {
        var total = 0
        for (index, glyph) in glyphs.enumerated() { total += glyph.advance + kerning(index > 0 ? glyphs[index - 1] : nil, glyph) }
        return total
    }

    mutating func wrap(_ text: String, width: Int) throws(RenderError) -> [Line] {
        let limit = width * 64
        var lines: [Line] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Line()
            let space = try glyph(" ")
            for word in paragraph.split(separator: " ") {
                var pieces: [Glyph] = []
                for scalar in word.unicodeScalars where scalar.properties.generalCategory != .control {
                    pieces.append(try glyph(scalar == "\t" ? " " : scalar))
                }
                let candidate = line.glyphs.isEmpty ? pieces : line.glyphs + [space] + pieces
                let advance = measure(candidate)
                if advance <= limit {
                    line = Line(glyphs: candidate, advance: advance)
                    continue
                }
                if !line.glyphs.isEmpty { lines.append(line) }
                line = Line()
                // The word alone: if it is wider than the box, break it between characters.
                for piece in pieces {
                    let next = line.glyphs + [piece]
                    let advance = measure(next)
                    if advance > limit, !line.glyphs.isEmpty {
                        lines.append(line)
                        line = Line(glyphs: [piece], advance: piece.advance)
                    } else {
                        line = Line(glyphs: next, advance: advance)
                    }
                }
            }
            lines.append(line)
        }
        return lines
    }

    func draw(_ lines: [Line], width: Int, height: Int, lineHeight: Int, ascender: Int, align: String,
              size: Int) throws(RenderError) -> TextRaster {
        var mask = [UInt8](repeating: 0, count: width * height)
        let shown = min(lines.count, max(1, height / max(lineHeight, 1)))
        let top = max(0, (height - shown * lineHeight) / 2)
        for (number, line) in lines.prefix(shown).enumerated() {
            let lineWidth = (line.advance + 63) >> 6
            var pen = switch align {
            case "center": max(0, (width - lineWidth) / 2) * 64
            case "right": max(0, width - lineWidth) * 64
            default: 0
            }
            let baseline = top + number * lineHeight + ascender
            for (index, glyph) in line.glyphs.enumerated() {
                pen += kerning(index > 0 ? line.glyphs[index - 1] : nil, glyph)
                let originX = (pen >> 6) + glyph.left, originY = baseline - glyph.top
                for row in 0..<glyph.rows {
                    let y = originY + row
                    guard y >= 0, y < height else { continue }
                    for column in 0..<glyph.width {
                        let x = originX + column
                        guard x >= 0, x < width else { continue }
                        let value = glyph.coverage[row * glyph.width + column]
                        if value > mask[y * width + x] { mask[y * width + x] = value }
                    }
                }
                pen += glyph.advance
            }
        }
        return TextRaster(mask: mask, width: width, height: height, size: size, clipped: shown < lines.count, missing: missing)
    }
}
