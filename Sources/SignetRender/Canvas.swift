/// An RGBA8 image, row-major, four bytes per pixel. Frames are opaque; layers keep their alpha
/// premultiplied, so compositing is one multiply-add per channel.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill colour: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 255)) {
        precondition(width > 0 && height > 0)
        self.width = width
        self.height = height
        let pattern = UInt32(colour.0) | UInt32(colour.1) << 8 | UInt32(colour.2) << 16 | UInt32(colour.3) << 24
        pixels = Array(repeating: 0, count: width * height * 4)
        pixels.withUnsafeMutableBytes { bytes in
            let words = bytes.bindMemory(to: UInt32.self)
            words.initialize(repeating: pattern)
        }
    }

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 4)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8) {
        let offset = (y * width + x) * 4
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2], pixels[offset + 3])
    }

    /// The RGB bytes, without alpha: what LED outputs send.
    public var rgb: [UInt8] {
        var result = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for index in 0..<width * height {
                    target[index * 3] = source[index * 4]
                    target[index * 3 + 1] = source[index * 4 + 1]
                    target[index * 3 + 2] = source[index * 4 + 2]
                }
            }
        }
        return result
    }
}

/// A rectangle in pixels; may extend past the canvas, and is clipped where drawn.
public struct PixelRect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    func clipped(toWidth canvasWidth: Int, height canvasHeight: Int) -> PixelRect? {
        let left = max(x, 0), top = max(y, 0)
        let right = min(x + width, canvasWidth), bottom = min(y + height, canvasHeight)
        guard right > left, bottom > top else { return nil }
        return PixelRect(x: left, y: top, width: right - left, height: bottom - top)
    }

    func intersection(_ other: PixelRect) -> PixelRect? {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        guard right > left, bottom > top else { return nil }
        return PixelRect(x: left, y: top, width: right - left, height: bottom - top)
    }
}

/// Exact rounding division by 255 for values up to 255 * 255 + 255.
@inline(__always) func divideBy255(_ value: UInt32) -> UInt32 {
    let biased = value + 128
    return (biased + (biased >> 8)) >> 8
}
