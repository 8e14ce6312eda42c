/// Resampling for image elements: an area average when shrinking (every source pixel counts),
/// linear interpolation when enlarging. Fixed-point and separable, so the same input gives the
/// same bytes everywhere.
extension Canvas {
    /// For each output position, the source positions and weights (summing to 1 << 14).
    private static func contributions(from source: Int, to target: Int) -> [(first: Int, weights: [Int32])] {
        let one: Int64 = 1 << 14
        var result: [(Int, [Int32])] = []
        result.reserveCapacity(target)
        for position in 0..<target {
            var weights: [Int64] = []
            var first = 0
            if target < source {
                // Area: output pixel covers [position * source / target, (position + 1) * source / target).
                let start = Int64(position) * Int64(source), end = Int64(position + 1) * Int64(source)
                let firstPixel = Int(start / Int64(target)), lastPixel = Int((end - 1) / Int64(target))
                first = firstPixel
                for pixel in firstPixel...lastPixel {
                    let left = max(start, Int64(pixel) * Int64(target)), right = min(end, Int64(pixel + 1) * Int64(target))
                    weights.append((right - left) * one / Int64(source))
                }
            } else {
                // Linear: centre of the output pixel mapped into the source, in 1/2^14 pixel units.
                let centre = ((2 * Int64(position) + 1) * Int64(source) * one) / (2 * Int64(target)) - one / 2
                let clamped = max(0, min(centre, Int64(source - 1) * one))
                first = Int(clamped / one)
                let fraction = clamped - Int64(first) * one
                if first + 1 < source, fraction > 0 {
                    weights = [one - fraction, fraction]
                } else {
                    weights = [one]
                }
            }
            // Give rounding leftovers to the largest weight so that every row sums to exactly one.
            let missing = one - weights.reduce(0, +)
            if let largest = weights.indices.max(by: { weights[$0] < weights[$1] }) { weights[largest] += missing }
            result.append((first, weights.map { Int32($0) }))
        }
        return result
    }

    /// This straight-alpha image resampled to `width` x `height`, premultiplied.
    func resampledPremultiplied(width: Int, height: Int) -> Canvas {
        var premultiplied = self
        premultiplied.pixels.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let alpha = UInt32(buffer[offset + 3])
                if alpha != 255 {
                    buffer[offset] = UInt8(divideBy255(UInt32(buffer[offset]) * alpha))
                    buffer[offset + 1] = UInt8(divideBy255(UInt32(buffer[offset + 1]) * alpha))
                    buffer[offset + 2] = UInt8(divideBy255(UInt32(buffer[offset + 2]) * alpha))
                }
                offset += 4
            }
        }
        if width == self.width, height == self.height { return premultiplied }
        let columns = Self.contributions(from: self.width, to: width)
        let rows = Self.contributions(from: self.height, to: height)
        // Horizontal pass into a (width x source height) image, then the vertical pass.
        var horizontal = [UInt8](repeating: 0, count: width * self.height * 4)
        let sourceWidth = self.width
        premultiplied.pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { target in
                for row in 0..<self.height {
                    let rowStart = row * sourceWidth * 4
                    for (column, contribution) in columns.enumerated() {
                        var sums: (Int32, Int32, Int32, Int32) = (8192, 8192, 8192, 8192)
                        var offset = rowStart + contribution.first * 4
                        for weight in contribution.weights {
                            sums.0 += Int32(source[offset]) * weight
                            sums.1 += Int32(source[offset + 1]) * weight
                            sums.2 += Int32(source[offset + 2]) * weight
                            sums.3 += Int32(source[offset + 3]) * weight
                            offset += 4
                        }
                        let out = (row * width + column) * 4
                        target[out] = UInt8(sums.0 >> 14)
                        target[out + 1] = UInt8(sums.1 >> 14)
                        target[out + 2] = UInt8(sums.2 >> 14)
                        target[out + 3] = UInt8(sums.3 >> 14)
                    }
                }
            }
        }
        var result = [UInt8](repeating: 0, count: width * height * 4)
        horizontal.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                let stride = width * 4
                for (row, contribution) in rows.enumerated() {
                    for index in 0..<stride {
                        var sum: Int32 = 8192
                        var offset = contribution.first * stride + index
                        for weight in contribution.weights {
                            sum += Int32(source[offset]) * weight
                            offset += stride
                        }
                        target[row * stride + index] = UInt8(sum >> 14)
                    }
                }
            }
        }
        return Canvas(width: width, height: height, pixels: result)
    }

    /// Whether every pixel is fully opaque.
    var isOpaque: Bool {
        pixels.withUnsafeBufferPointer { buffer in
            var offset = 3
            while offset < buffer.count {
                if buffer[offset] != 255 { return false }
                offset += 4
            }
            return true
        }
    }
}
