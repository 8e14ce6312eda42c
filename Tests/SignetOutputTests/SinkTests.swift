#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SignetRender
import Testing

@testable import SignetOutput

@Suite("Frames reach files, commands, framebuffers and a DDP receiver intact")
struct SinkTests {
    static func frame(width: Int, height: Int) -> [UInt8] {
        var rgb: [UInt8] = []
        for index in 0..<width * height {
            rgb += [UInt8(index % 256), UInt8(index / 256 % 256), UInt8(index * 7 % 256)]
        }
        return rgb
    }

    func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "signet-\(UUID().uuidString)-\(name)"
    }

    @Test func framebufferFileGetsTheDeviceLayout() throws {
        let path = temporaryPath("fb")
        FileManager.default.createFile(atPath: path, contents: Data(count: 40 * 20 * 4))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rgb = Self.frame(width: 30, height: 10)  // smaller than the framebuffer
        let sink = try FramebufferSink(path: path, geometry: FramebufferGeometry(width: 32, height: 20, format: .xrgb8888, stride: 160))
        try sink.send(rgb: rgb, width: 30, height: 10)
        let memory = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        // Pixel (x 5, y 3) of the frame, in B G R X order at 3 * 160 + 5 * 4.
        let pixel = (3 * 30 + 5) * 3
        #expect(memory[3 * 160 + 20..<3 * 160 + 24].elementsEqual([rgb[pixel + 2], rgb[pixel + 1], rgb[pixel], 0xFF]))
        #expect(memory[3 * 160 + 30 * 4..<3 * 160 + 32 * 4].allSatisfy { $0 == 0 })  // beyond the frame: black
        #expect(memory[15 * 160..<16 * 160].allSatisfy { $0 == 0 })
        let rgb565 = FramebufferGeometry(width: 1, height: 1, format: .rgb565).encode(rgb: [0xFF, 0x80, 0x08], width: 1, height: 1)
        #expect(rgb565 == [0x01, 0xFC])  // 11111 100000 00001
    }

    @Test func commandReceivesRawRGB24() throws {
        let path = temporaryPath("rgb")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var sink = try CommandSink(command: "cat > '\(path)'")
        let first = Self.frame(width: 16, height: 8), second = first.reversed().map { $0 }
        try sink.send(rgb: first, width: 16, height: 8)
        try sink.send(rgb: second, width: 16, height: 8)
        try sink.finish()
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == first + second)
        var failing = try CommandSink(command: "exit 3")
        usleep(100_000)
        #expect(throws: OutputError.self) {
            for _ in 0..<50 { try failing.send(rgb: first, width: 16, height: 8) }
            try failing.finish()
        }
    }

    /// A DDP receiver written from the protocol description (3waylabs.com/ddp), not from our sender:
    /// it checks each header, places data at its byte offset and completes a frame on PUSH.
    struct DDPReceiver {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var bufferSize: Int32 = 8 * 1024 * 1024
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            self.descriptor = descriptor
            port = UInt16(bigEndian: address.sin_port)
        }

        func receiveFrame(size: Int) throws -> (frame: [UInt8], packets: Int) {
            var frame = [UInt8](repeating: 0, count: size)
            var buffer = [UInt8](repeating: 0, count: 1500)
            var packets = 0
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                guard count >= 10 else { throw OutputError("ddp receiver", "timed out or short packet") }
                packets += 1
                let flags = buffer[0], type = buffer[2], id = buffer[3]
                guard flags & 0xC0 == 0x40, type == 0x0B, id == 1 else { throw OutputError("ddp receiver", "bad header") }
                let offset = Int(buffer[4]) << 24 | Int(buffer[5]) << 16 | Int(buffer[6]) << 8 | Int(buffer[7])
                let length = Int(buffer[8]) << 8 | Int(buffer[9])
                guard count == 10 + length, offset + length <= size else { throw OutputError("ddp receiver", "bad length") }
                frame.replaceSubrange(offset..<offset + length, with: buffer[10..<count])
                if flags & 0x01 != 0 { return (frame, packets) }
            }
        }
    }

    @Test func aDDPReceiverReassemblesTheRenderedFrame() throws {
        let receiver = try DDPReceiver()
        defer { close(receiver.descriptor) }
        let canvas = Canvas(width: 64, height: 40, fill: (0xD5, 0x2B, 0x1E, 255))
        var mixed = canvas
        for index in stride(from: 0, to: mixed.pixels.count, by: 52) { mixed.pixels[index] = UInt8(index % 256) }
        var sink = try NetworkSink(.ddp, host: "127.0.0.1", port: receiver.port, layout: .serpentine,
                                   source: E131Source(cid: Array(repeating: 0, count: 16), name: "t"))
        try sink.send(rgb: mixed.rgb, width: 64, height: 40)
        let (frame, packets) = try receiver.receiveFrame(size: 64 * 40 * 3)
        #expect(packets == 6)  // 7680 bytes in 1440-byte pieces
        #expect(frame == PanelLayout.serpentine.chainOrder(mixed.rgb, width: 64, height: 40))
    }

    @Test func pngFileSinkWritesADecodablePNG() throws {
        let path = temporaryPath("frame.png")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var sink = PNGFileSink(path: path)
        let rgb = Self.frame(width: 20, height: 10)
        try sink.send(rgb: rgb, width: 20, height: 10)
        let decoded = try ImageDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(decoded.rgb == rgb)
    }

    @Test func pacedPlayTakesAboutTheRightTime() async throws {
        let path = temporaryPath("paced")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try CommandSink(command: "cat > '\(path)'")
        var sinks: [any FrameSink] = [sink]
        var pacer = FramePacer(framesPerSecond: 50)
        let clock = ContinuousClock()
        let start = clock.now
        try await playFrames(to: &sinks, count: 11, pacer: &pacer, clock: clock) { _ in ([1, 2, 3], 1, 1) }
        let elapsed = start.duration(to: clock.now)
        try sink.finish()
        // Never faster than the rate (10 intervals of 20 ms). Slower only as far as the machine is busy:
        // other tests in this process can hold the concurrency pool's threads for seconds.
        #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(30), "\(elapsed)")
        // Frames skipped as late are not made (a skip past the end counts but makes no difference).
        let written = try Data(contentsOf: URL(fileURLWithPath: path)).count
        #expect(written <= 33 && written >= 3 * (11 - Int(pacer.skipped)), "\(written) bytes, \(pacer.skipped) skipped")
    }
}
