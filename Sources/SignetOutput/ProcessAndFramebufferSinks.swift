#if canImport(Glibc)
import Glibc
#endif
import SignetSystem

/// Raw RGB24 frames, row after row, to a shell command's standard input: for ffmpeg, a sending
/// card's tool, or anything that reads `rawvideo` (`-f rawvideo -pix_fmt rgb24 -s WxH -i -`).
public struct CommandSink: FrameSink {
    public let name: String
    let process: ChildProcess

    public init(command: String) throws(OutputError) {
        name = "command:\(command)"
        do { process = try ChildProcess("/bin/sh", ["-c", command], captureOutput: false, pipeInput: true, quiet: false) } catch {
            throw OutputError(name, "\(error)")
        }
    }

    public mutating func send(rgb: [UInt8], width: Int, height: Int) throws(OutputError) {
        do { try process.write(rgb) } catch { throw OutputError(name, "\(error)") }
    }

    /// Ends the input and waits for the command; fails if it failed.
    public func finish() throws(OutputError) {
        do { try process.finish() } catch { throw OutputError(name, "\(error)") }
    }
}

/// The layout of a Linux framebuffer's memory.
public struct FramebufferGeometry: Sendable, Equatable {
    public enum PixelFormat: String, Sendable {
        /// 32 bits per pixel, bytes B, G, R, X in memory (XRGB8888 little-endian; most fbdev drivers).
        case xrgb8888
        /// 16 bits per pixel, little-endian 5-6-5.
        case rgb565
        /// 24 bits per pixel, bytes B, G, R.
        case bgr888

        var bytesPerPixel: Int {
            switch self {
            case .xrgb8888: 4
            case .rgb565: 2
            case .bgr888: 3
            }
        }
    }

    public let width: Int
    public let height: Int
    public let format: PixelFormat
    /// Bytes per line; at least width x bytes per pixel (drivers may pad).
    public let stride: Int

    public init(width: Int, height: Int, format: PixelFormat, stride: Int? = nil) {
        self.width = width
        self.height = height
        self.format = format
        self.stride = max(stride ?? 0, width * format.bytesPerPixel)
    }

    /// A frame in this layout: the top-left part of the frame that fits, black elsewhere.
    public func encode(rgb: [UInt8], width frameWidth: Int, height frameHeight: Int) -> [UInt8] {
        var memory = [UInt8](repeating: 0, count: stride * height)
        let columns = min(width, frameWidth), rows = min(height, frameHeight)
        for y in 0..<rows {
            for x in 0..<columns {
                let source = (y * frameWidth + x) * 3
                let r = rgb[source], g = rgb[source + 1], b = rgb[source + 2]
                let target = y * stride + x * format.bytesPerPixel
                switch format {
                case .xrgb8888:
                    memory[target] = b
                    memory[target + 1] = g
                    memory[target + 2] = r
                    memory[target + 3] = 0xFF
                case .bgr888:
                    memory[target] = b
                    memory[target + 1] = g
                    memory[target + 2] = r
                case .rgb565:
                    let value = UInt16(r >> 3) << 11 | UInt16(g >> 2) << 5 | UInt16(b >> 3)
                    memory[target] = UInt8(value & 0xFF)
                    memory[target + 1] = UInt8(value >> 8)
                }
            }
        }
        return memory
    }
}

/// Frames written to a framebuffer device (`/dev/fb0`) or, for tests, a regular file of the same
/// layout, at offset 0 each time.
public final class FramebufferSink: FrameSink {
    public let name: String
    let descriptor: Int32
    public let geometry: FramebufferGeometry

    public init(path: String, geometry: FramebufferGeometry) throws(OutputError) {
        name = "fb:\(path)"
        descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OutputError(name, "cannot open (errno \(errno): \(String(cString: strerror(errno))))") }
        self.geometry = geometry
    }

    public func send(rgb: [UInt8], width: Int, height: Int) throws(OutputError) {
        let memory = geometry.encode(rgb: rgb, width: width, height: height)
        var offset = 0
        while offset < memory.count {
            let count = memory.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw OutputError(name, "write failed (errno \(errno))") }
            offset += count
        }
    }

    deinit { _ = close(descriptor) }
}
