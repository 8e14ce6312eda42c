import SignetCore

/// A small perceptual fingerprint of a frame: the average colour of each cell of an 8 x 8 grid
/// laid over the whole frame, scaled so that the brightest cell channel is 255 (by at most 8x).
///
/// The grid ignores resolution (a 1920x1080 frame and its 480x270 thumbnail give the same grid),
/// averaging cells ignores mild blur and noise, and the scaling ignores overall brightness (an LED
/// controller dimmed to 40 % at night). `distance` is the largest difference of any one channel
/// of any cell, 0 to 255. Frames of the same slide, dimmed to 40 %, blurred by 2 pixels or scaled
/// down to 150x100, stay within 13; `threshold` is 20; Chad and Romania, the closest pair of
/// flags, are 28 apart however either is dimmed or blurred; the Russian and Ukrainian flags, and
/// two welcome slides that differ only in one of their two flags, are more than 150 apart (see
/// the tests).
public struct Fingerprint: Sendable, Hashable, CustomStringConvertible {
    public static let grid = 8
    /// Distances above this mean "not the same picture".
    public static let threshold = 20
    /// The brightest cell is scaled to 255, but never by more than 255 / `darkLevel`.
    static let darkLevel: UInt64 = 32

    /// 8 x 8 cells, row-major, RGB.
    public let values: [UInt8]

    public init?(values: [UInt8]) {
        guard values.count == Self.grid * Self.grid * 3 else { return nil }
        self.values = values
    }

    /// `v1:` followed by 384 hex digits.
    public init?(_ text: String) {
        guard text.hasPrefix("v1:"), let bytes = Hex.decode(String(text.dropFirst(3))) else { return nil }
        self.init(values: bytes)
    }

    public var description: String { "v1:" + Hex.encode(values) }

    /// Of an RGBA8 frame.
    public init(of canvas: Canvas) {
        self.init(rgba: canvas.pixels, width: canvas.width, height: canvas.height)
    }

    public init(rgba pixels: [UInt8], width: Int, height: Int) { self.init(pixels: pixels, width: width, height: height, channels: 4) }

    /// Of RGB24 bytes, as a capture card delivers them.
    public init(rgb pixels: [UInt8], width: Int, height: Int) { self.init(pixels: pixels, width: width, height: height, channels: 3) }

    private init(pixels: [UInt8], width: Int, height: Int, channels: Int) {
        let grid = Self.grid
        var sums = [UInt64](repeating: 0, count: grid * grid * 3)
        var counts = [UInt64](repeating: 0, count: grid * grid)
        pixels.withUnsafeBufferPointer { buffer in
            for y in 0..<height {
                let row = y * grid / height
                for x in 0..<width {
                    let cell = row * grid + x * grid / width
                    let offset = (y * width + x) * channels
                    sums[cell * 3] += UInt64(buffer[offset])
                    sums[cell * 3 + 1] += UInt64(buffer[offset + 1])
                    sums[cell * 3 + 2] += UInt64(buffer[offset + 2])
                    counts[cell] += 1
                }
            }
        }
        var averages = (0..<grid * grid * 3).map { index in
            counts[index / 3] == 0 ? 0 : (sums[index] + counts[index / 3] / 2) / counts[index / 3]
        }
        // Scaled up at most from `darkLevel`: a frame darker than that (a dark slide on a panel
        // dimmed to 5 % at night) is compared nearly as it is, because stretching averages of 2
        // or 3 to 255 would stretch their rounding into differences of 40 and more.
        let brightest = max(averages.max() ?? 0, Self.darkLevel)
        averages = averages.map { min(255, ($0 * 255 + brightest / 2) / brightest) }
        values = averages.map { UInt8($0) }
    }

    /// How far apart two frames are, 0 (same) to 255: the largest difference of any one channel of
    /// any one cell. A change in one part of the screen (one flag of two swapped) counts as much as
    /// a change everywhere, and a change in one channel (a deeper blue) as much as in all three.
    public func distance(to other: Fingerprint) -> Int {
        var largest = 0
        for index in values.indices { largest = max(largest, abs(Int(values[index]) - Int(other.values[index]))) }
        return largest
    }

    public func matches(_ other: Fingerprint) -> Bool { distance(to: other) <= Self.threshold }
}
