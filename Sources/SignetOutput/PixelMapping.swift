/// How a panel's LEDs are chained: `rows` runs left to right on every row; `serpentine` runs left
/// to right on the first row, right to left on the next, and so on (the usual zig-zag wiring of
/// LED matrices). Both start at the top-left pixel.
public enum PanelLayout: String, Sendable, CaseIterable {
    case rows
    case serpentine

    /// RGB24 in chain order, from a row-major RGB24 frame.
    public func chainOrder(_ rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
        precondition(rgb.count == width * height * 3)
        guard self == .serpentine else { return rgb }
        var result = rgb
        for row in stride(from: 1, to: height, by: 2) {
            for column in 0..<width {
                let from = (row * width + column) * 3, to = (row * width + width - 1 - column) * 3
                result[to] = rgb[from]
                result[to + 1] = rgb[from + 1]
                result[to + 2] = rgb[from + 2]
            }
        }
        return result
    }
}
