import Foundation

/// Brightness and gamma for an output, applied once per frame through a lookup table.
///
/// `brightness` (0 to 1) scales light, not code values: values are decoded with the panel's gamma,
/// scaled, and encoded again, so 50 % brightness halves the light an LED gives off. A `gamma`
/// other than the 2.2 of sRGB content re-encodes for panels driven linearly or with another curve.
public struct OutputAdjustment: Sendable, Equatable {
    public let brightness: Double
    public let gamma: Double
    let table: [UInt8]

    public static let identity = OutputAdjustment(brightness: 1, gamma: 2.2)

    public init(brightness: Double, gamma: Double) {
        self.brightness = max(0, min(1, brightness))
        self.gamma = max(1, min(3, gamma))
        table = (0..<256).map { [b = self.brightness, g = self.gamma] code in
            let light = pow(Double(code) / 255, 2.2) * b
            return UInt8((pow(light, 1 / g) * 255).rounded())
        }
    }

    public var isIdentity: Bool { table.enumerated().allSatisfy { Int($0.element) == $0.offset } }

    /// RGB24 bytes of an RGBA8 frame, adjusted.
    public func rgb(_ canvas: Canvas) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: canvas.width * canvas.height * 3)
        table.withUnsafeBufferPointer { table in
            canvas.pixels.withUnsafeBufferPointer { source in
                result.withUnsafeMutableBufferPointer { target in
                    for index in 0..<canvas.width * canvas.height {
                        target[index * 3] = table[Int(source[index * 4])]
                        target[index * 3 + 1] = table[Int(source[index * 4 + 1])]
                        target[index * 3 + 2] = table[Int(source[index * 4 + 2])]
                    }
                }
            }
        }
        return result
    }

    /// The frame itself, adjusted (for PNG output and previews).
    public func apply(to canvas: Canvas) -> Canvas {
        guard !isIdentity else { return canvas }
        var result = canvas
        result.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in 0..<canvas.width * canvas.height {
                pixels[index * 4] = table[Int(pixels[index * 4])]
                pixels[index * 4 + 1] = table[Int(pixels[index * 4 + 1])]
                pixels[index * 4 + 2] = table[Int(pixels[index * 4 + 2])]
            }
        }
        return result
    }
}
