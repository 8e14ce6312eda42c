import CSignetCodecs

/// Decodes PNG and JPEG assets with libpng and libjpeg-turbo, refusing what is not what it claims
/// to be, or larger than the renderer will hold.
public enum ImageDecoder {
    /// 16 384 pixels a side and 64 megapixels at most: more than any LED face, and a bound on
    /// memory (256 MB decoded) that a hostile file cannot raise.
    public static let maxSide = 16_384
    public static let maxPixels = 64 * 1024 * 1024

    public enum Kind: String, Sendable {
        case png, jpeg

        /// From the first bytes, never from a name.
        public init?(sniffing bytes: some Collection<UInt8>) {
            if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
                self = .png
            } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
                self = .jpeg
            } else {
                return nil
            }
        }
    }

    /// The pixel size from the header alone.
    public static func size(of bytes: [UInt8], kind: Kind) throws(RenderError) -> (width: Int, height: Int) {
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: Int(SIGNET_CODEC_MESSAGE_SIZE))
        let status = bytes.withUnsafeBufferPointer { buffer in
            switch kind {
            case .png: signet_png_size(buffer.baseAddress, buffer.count, &width, &height, &message)
            case .jpeg: signet_jpeg_size(buffer.baseAddress, buffer.count, &width, &height, &message)
            }
        }
        guard status == 0 else { throw RenderError(kind.rawValue, "cannot decode: \(text(message))") }
        return (Int(width), Int(height))
    }

    /// Straight-alpha RGBA8 pixels.
    public static func decode(_ bytes: [UInt8]) throws(RenderError) -> Canvas {
        guard let kind = Kind(sniffing: bytes) else { throw RenderError("image", "neither PNG nor JPEG (by its first bytes)") }
        let (width, height) = try size(of: bytes, kind: kind)
        guard width <= maxSide, height <= maxSide, width * height <= maxPixels else {
            throw RenderError(kind.rawValue, "\(width)x\(height) pixels is more than the limit of \(maxSide) a side and \(maxPixels) in all")
        }
        var image = signet_decoded_image()
        let status = bytes.withUnsafeBufferPointer { buffer in
            switch kind {
            case .png: signet_png_decode(buffer.baseAddress, buffer.count, UInt64(maxPixels), &image)
            case .jpeg: signet_jpeg_decode(buffer.baseAddress, buffer.count, UInt64(maxPixels), &image)
            }
        }
        let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard status == 0, let pixels = image.pixels else { throw RenderError(kind.rawValue, "cannot decode: \(message)") }
        defer { signet_codec_free(pixels) }
        let count = Int(image.width) * Int(image.height) * 4
        return Canvas(width: Int(image.width), height: Int(image.height),
                      pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

public enum PNGEncoder {
    /// A PNG of the canvas; RGB only when `dropAlpha` (frames are opaque).
    public static func encode(_ canvas: Canvas, dropAlpha: Bool = true) throws(RenderError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: Int(SIGNET_CODEC_MESSAGE_SIZE))
        let source = dropAlpha ? canvas.rgb : canvas.pixels
        let status = source.withUnsafeBufferPointer { buffer in
            signet_png_encode(buffer.baseAddress, UInt32(canvas.width), UInt32(canvas.height), dropAlpha ? 3 : 4,
                              &output, &length, &message)
        }
        guard status == 0, let output else {
            throw RenderError("png", "cannot encode: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { signet_codec_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}
