import Foundation
import NIOConcurrencyHelpers
import SignetRender
import SignetSystem
import SignetTUFClient

/// The newest picture a capture delivered, as a fingerprint, and when.
public struct CapturedFrame: Sendable, Equatable {
    public let fingerprint: Fingerprint
    public let at: ContinuousClock.Instant
}

/// Reads a capture source: a command's frames on a thread of their own (its reads block), image
/// files when asked. `latest` is the newest frame, or why there is none.
public final class CaptureReader: Sendable {
    public enum Reading: Sendable, Equatable {
        case frame(CapturedFrame)
        case fault(String)
    }

    struct Shared {
        var frame: CapturedFrame?
        var fault: String? = "no frame captured yet"
        var stopped = false
        var pid: pid_t?
        var nextImage = 0
    }

    public let source: CaptureSource
    private let shared = NIOLockedValueBox(Shared())

    public init(_ source: CaptureSource) {
        self.source = source
        if case .command(let command, let width, let height) = source {
            let thread = Thread { [shared] in Self.readCommand(command, width: width, height: height, into: shared) }
            thread.name = "signet-capture"
            thread.start()
        }
    }

    /// The newest frame if it is at most `maxAge` old.
    public func latest(maxAge: Duration) -> Reading {
        if case .images(let paths) = source { return readImage(paths) }
        let (frame, fault) = shared.withLockedValue { ($0.frame, $0.fault) }
        if let fault { return .fault(fault) }
        guard let frame else { return .fault("no frame captured yet") }
        let age = ContinuousClock.now - frame.at
        guard age <= maxAge else { return .fault("no frame for \(age.components.seconds) s") }
        return .frame(frame)
    }

    public func stop() {
        let pid = shared.withLockedValue { shared -> pid_t? in
            shared.stopped = true
            return shared.pid
        }
        if let pid { kill(pid, SIGTERM) }
    }

    deinit { stop() }

    private func readImage(_ paths: [String]) -> Reading {
        let index = shared.withLockedValue { shared -> Int in
            defer { shared.nextImage = (shared.nextImage + 1) % paths.count }
            return shared.nextImage
        }
        let path = paths[index]
        guard let bytes = try? AtomicFile.read(path, maxBytes: 64 << 20) else { return .fault("\(path) cannot be read") }
        do {
            return .frame(CapturedFrame(fingerprint: Fingerprint(of: try ImageDecoder.decode(bytes)), at: .now))
        } catch {
            return .fault("\(path) is not a PNG or JPEG picture: \(error)")
        }
    }

    /// Runs the command and keeps its newest frame until stopped; a command that ends is started
    /// again a second later (a capture card unplugged and plugged back).
    private static func readCommand(_ command: String, width: Int, height: Int, into shared: NIOLockedValueBox<Shared>) {
        let frameBytes = width * height * 3
        while !shared.withLockedValue({ $0.stopped }) {
            var ended = "the capture command ended"
            do {
                let process = try ChildProcess("/bin/sh", ["-c", command], captureOutput: true)
                let stopped = shared.withLockedValue { shared -> Bool in
                    shared.pid = process.pid
                    return shared.stopped
                }
                if stopped { process.stop(); return }
                while let bytes = try process.readOutput(exactly: frameBytes) {
                    let frame = CapturedFrame(fingerprint: Fingerprint(rgb: bytes, width: width, height: height), at: .now)
                    shared.withLockedValue { $0.frame = frame; $0.fault = nil }
                }
                process.stop()
            } catch {
                ended = "the capture command cannot run: \(error)"
            }
            shared.withLockedValue { $0.pid = nil; $0.fault = ended }
            Thread.sleep(forTimeInterval: 1)
        }
    }
}
