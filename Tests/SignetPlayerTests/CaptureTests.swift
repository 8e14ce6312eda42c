import Foundation
import SignetRender
import SignetTUFClient
import Testing

@testable import SignetPlayer

@Suite("Capture sources: a command's raw RGB frames, or image files")
struct CaptureTests {
    @Test func sourcesAreParsedOrRefusedWithWhy() throws {
        #expect(try CaptureSource("command:960x480:ffmpeg -f v4l2 -i /dev/video0 -f rawvideo -pix_fmt rgb24 -")
                == .command("ffmpeg -f v4l2 -i /dev/video0 -f rawvideo -pix_fmt rgb24 -", width: 960, height: 480))
        #expect(try CaptureSource("images:/a.png,/b.png") == .images(["/a.png", "/b.png"]))
        #expect(throws: CaptureError("the capture size 960 is not WIDTHxHEIGHT (1 to 16384 each)")) { try CaptureSource("command:960:cat") }
        #expect(throws: CaptureError("the capture command is empty")) { try CaptureSource("command:8x8: ") }
        #expect(throws: CaptureError("images: needs at least one file")) { try CaptureSource("images:") }
        #expect(throws: CaptureError("a capture source is command:WIDTHxHEIGHT:COMMAND or images:PATH[,PATH...]")) { try CaptureSource("v4l2:/dev/video0") }
    }

    @Test func aCommandsFramesAreFingerprintedAndItsEndIsAFault() async throws {
        // Red frames of 16x8 (384 bytes each), five of them, then the command ends.
        let reader = CaptureReader(.command("for i in 1 2 3 4 5; do printf '\\377\\000\\000%.0s' $(seq 128); sleep 0.1; done", width: 16, height: 8))
        defer { reader.stop() }
        var seen: Fingerprint?
        for _ in 0..<50 where seen == nil {
            if case .frame(let frame) = reader.latest(maxAge: .seconds(2)) { seen = frame.fingerprint }
            try await Task.sleep(for: .milliseconds(20))
        }
        let red = Fingerprint(values: Array((0..<64).flatMap { _ in [UInt8(255), 0, 0] }))!
        #expect(seen == red)
        var fault: String?
        for _ in 0..<100 where fault == nil {
            if case .fault(let why) = reader.latest(maxAge: .seconds(2)) { fault = why }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(fault == "the capture command ended")
    }

    @Test func imageFilesAreReadAgainAtEachCheck() throws {
        let folder = NSTemporaryDirectory() + "capture-\(UUID().uuidString)"
        try AtomicFile.createDirectory(folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let blue = Canvas(width: 32, height: 16, fill: (0, 0, 255, 255))
        try AtomicFile.write(try PNGEncoder.encode(blue), to: "\(folder)/panel.png")
        let reader = CaptureReader(.images(["\(folder)/panel.png"]))
        guard case .frame(let frame) = reader.latest(maxAge: .seconds(1)) else { Issue.record("no frame"); return }
        #expect(frame.fingerprint == Fingerprint(of: blue))
        try AtomicFile.write(Array("not a picture".utf8), to: "\(folder)/panel.png")
        guard case .fault(let why) = reader.latest(maxAge: .seconds(1)) else { Issue.record("no fault"); return }
        #expect(why.hasPrefix("\(folder)/panel.png is not a PNG or JPEG picture"))
    }
}
