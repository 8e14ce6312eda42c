extension Canvas {
    /// Paints `colour` (straight alpha) over `rect`.
    mutating func fill(_ rect: PixelRect, red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8) {
        guard alpha > 0, let area = rect.clipped(toWidth: width, height: height) else { return }
        let width = self.width
        if alpha == 255 {
            let pattern = UInt32(red) | UInt32(green) << 8 | UInt32(blue) << 16 | 0xFF00_0000
            pixels.withUnsafeMutableBytes { bytes in
                let words = bytes.bindMemory(to: UInt32.self)
                for row in area.y..<area.y + area.height {
                    let start = row * width + area.x
                    UnsafeMutableBufferPointer(rebasing: words[start..<start + area.width]).update(repeating: pattern)
                }
            }
            return
        }
        let a = UInt32(alpha), inverse = 255 - a
        let r = UInt32(red) * a, g = UInt32(green) * a, b = UInt32(blue) * a
        pixels.withUnsafeMutableBufferPointer { buffer in
            for row in area.y..<area.y + area.height {
                var offset = (row * width + area.x) * 4
                for _ in 0..<area.width {
                    buffer[offset] = UInt8(divideBy255(r + UInt32(buffer[offset]) * inverse))
                    buffer[offset + 1] = UInt8(divideBy255(g + UInt32(buffer[offset + 1]) * inverse))
                    buffer[offset + 2] = UInt8(divideBy255(b + UInt32(buffer[offset + 2]) * inverse))
                    offset += 4
                }
            }
        }
    }

    /// Paints a premultiplied RGBA `image` with its top-left corner at `origin`, showing only the
    /// part inside `clip`. Opaque images are copied row by row.
    mutating func draw(_ image: Canvas, at origin: (x: Int, y: Int), clip: PixelRect, opaque: Bool) {
        guard let area = PixelRect(x: origin.x, y: origin.y, width: image.width, height: image.height)
            .intersection(clip)?.clipped(toWidth: width, height: height)
        else { return }
        let width = self.width
        pixels.withUnsafeMutableBufferPointer { target in
            image.pixels.withUnsafeBufferPointer { source in
                for row in area.y..<area.y + area.height {
                    var to = (row * width + area.x) * 4
                    var from = ((row - origin.y) * image.width + (area.x - origin.x)) * 4
                    if opaque {
                        UnsafeMutableRawPointer(target.baseAddress! + to)
                            .copyMemory(from: source.baseAddress! + from, byteCount: area.width * 4)
                        continue
                    }
                    for _ in 0..<area.width {
                        let inverse = 255 - UInt32(source[from + 3])
                        if inverse == 255 {
                            // fully transparent pixel
                        } else if inverse == 0 {
                            target[to] = source[from]
                            target[to + 1] = source[from + 1]
                            target[to + 2] = source[from + 2]
                        } else {
                            target[to] = UInt8(UInt32(source[from]) + divideBy255(UInt32(target[to]) * inverse))
                            target[to + 1] = UInt8(UInt32(source[from + 1]) + divideBy255(UInt32(target[to + 1]) * inverse))
                            target[to + 2] = UInt8(UInt32(source[from + 2]) + divideBy255(UInt32(target[to + 2]) * inverse))
                        }
                        to += 4
                        from += 4
                    }
                }
            }
        }
    }

    /// Paints `colour` through an 8-bit coverage mask (rendered text) placed at `origin`.
    mutating func draw(mask: [UInt8], maskWidth: Int, at origin: (x: Int, y: Int), clip: PixelRect,
                       red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8) {
        let maskHeight = mask.count / max(maskWidth, 1)
        guard alpha > 0, let area = PixelRect(x: origin.x, y: origin.y, width: maskWidth, height: maskHeight)
            .intersection(clip)?.clipped(toWidth: width, height: height)
        else { return }
        let width = self.width
        let colour = [UInt32(red), UInt32(green), UInt32(blue)]
        pixels.withUnsafeMutableBufferPointer { target in
            mask.withUnsafeBufferPointer { coverage in
                for row in area.y..<area.y + area.height {
                    var to = (row * width + area.x) * 4
                    var from = (row - origin.y) * maskWidth + (area.x - origin.x)
                    for _ in 0..<area.width {
                        let cover = UInt32(coverage[from])
                        if cover != 0 {
                            let a = alpha == 255 ? cover : divideBy255(cover * UInt32(alpha))
                            let inverse = 255 - a
                            target[to] = UInt8(divideBy255(colour[0] * a + UInt32(target[to]) * inverse))
                            target[to + 1] = UInt8(divideBy255(colour[1] * a + UInt32(target[to + 1]) * inverse))
                            target[to + 2] = UInt8(divideBy255(colour[2] * a + UInt32(target[to + 2]) * inverse))
                        }
                        to += 4
                        from += 1
                    }
                }
            }
        }
    }

    /// A cross-fade: `progress` of 0 is `from`, 65 536 is `to`.
    public static func blend(from: Canvas, to: Canvas, progress: Int) -> Canvas {
        precondition(from.width == to.width && from.height == to.height)
        let weight = UInt32(max(0, min(65_536, progress)))
        var result = to
        result.pixels.withUnsafeMutableBufferPointer { target in
            from.pixels.withUnsafeBufferPointer { source in
                for index in 0..<target.count {
                    let a = UInt32(source[index]), b = UInt32(target[index])
                    target[index] = UInt8((a * (65_536 - weight) + b * weight + 32_768) >> 16)
                }
            }
        }
        return result
    }
}
