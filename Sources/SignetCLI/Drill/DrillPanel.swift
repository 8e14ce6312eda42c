import Foundation
import SignetCore
import SignetRender
import SignetSystem
import SignetTUFClient
import Synchronization

/// The drill's LED controller and panel: it reads the player's frames from a pipe (the player's
/// `command:` output writes them there, raw RGB24), passes them on to the panel (or, when told
/// to, tampers with them as a compromised controller or a faulty cable would), and writes what
/// the panel shows, scaled to half size, where a capture command reads it (`panel.rgb`).
///
/// It keeps every frame the player output and every picture the panel showed, by fingerprint
/// and time: the drill's evidence of what the screen did, independent of the player's word.
final class DrillPanel: Sendable {
    enum Tamper: Sendable, Equatable {
        case none
        /// A compromised controller: every frame that looks like `target` becomes `replacement`.
        case swap(target: Fingerprint, replacement: [UInt8])
        /// A cable that lost the red channel.
        case dropRed
    }

    struct Shown: Sendable {
        let at: Int64
        let fingerprint: Fingerprint
    }

    struct State {
        var tamper = Tamper.none
        var lastFrame: [UInt8]?
        var outputs: [Shown] = []
        var panel: [Shown] = []
    }

    let width: Int
    let height: Int
    let fifo: String
    let capturePath: String
    let clock: any WallClock
    private let state = Mutex(State())
    /// One picture at a time reaches the panel (the reader and a tamper change may race).
    private let panelLock = Mutex(())

    init(folder: String, width: Int, height: Int, clock: any WallClock) throws {
        self.width = width
        self.height = height
        self.clock = clock
        fifo = "\(folder)/controller.fifo"
        capturePath = "\(folder)/panel.rgb"
        unlink(fifo)
        guard mkfifo(fifo, 0o600) == 0 else { throw CLIError("cannot make \(fifo): \(String(cString: strerror(errno)))") }
        let thread = Thread { [self] in readFrames() }
        thread.name = "drill-controller"
        thread.start()
    }

    /// The player's output: its frames into the controller's pipe.
    var output: String { "command:exec cat > '\(fifo)'" }
    /// The player's capture: the panel's picture, ten times a second.
    var capture: String { "command:\(width / 2)x\(height / 2):while cat '\(capturePath)'; do sleep 0.1; done" }

    func setTamper(_ tamper: Tamper) {
        let frame = state.withLock { state -> [UInt8]? in
            state.tamper = tamper
            return state.lastFrame
        }
        // A controller acts on the frame it holds at once, not at the player's next frame.
        if let frame { show(frame) }
    }

    var outputs: [Shown] { state.withLock { $0.outputs } }
    var panel: [Shown] { state.withLock { $0.panel } }

    private func readFrames() {
        let size = width * height * 3
        guard let handle = FileHandle(forReadingAtPath: fifo) else { return }
        var buffer: [UInt8] = []
        while true {
            let data = handle.availableData
            if data.isEmpty { return }
            buffer += data
            while buffer.count >= size {
                let frame = Array(buffer[0..<size])
                buffer.removeFirst(size)
                let shown = Shown(at: clock.now().millisecondsSince1970, fingerprint: Fingerprint(rgb: frame, width: width, height: height))
                state.withLock { state in
                    state.lastFrame = frame
                    if state.outputs.last?.fingerprint != shown.fingerprint { state.outputs.append(shown) }
                }
                show(frame)
            }
        }
    }

    /// What the panel shows for a frame from the player: the frame, or what the tamper makes of it.
    private func show(_ frame: [UInt8]) {
        panelLock.withLock { _ in showLocked(frame) }
    }

    private func showLocked(_ frame: [UInt8]) {
        let tamper = state.withLock { $0.tamper }
        var picture = frame
        switch tamper {
        case .none: break
        case .swap(let target, let replacement):
            if Fingerprint(rgb: frame, width: width, height: height).matches(target) { picture = replacement }
        case .dropRed:
            for index in stride(from: 0, to: picture.count, by: 3) { picture[index] = 0 }
        }
        let shown = Shown(at: clock.now().millisecondsSince1970, fingerprint: Fingerprint(rgb: picture, width: width, height: height))
        try? AtomicFile.write(halfSize(picture), to: capturePath, syncDirectory: false)
        state.withLock { state in
            if state.panel.last?.fingerprint != shown.fingerprint { state.panel.append(shown) }
        }
    }

    /// A 2x2 box filter: the capture card's scaled picture.
    private func halfSize(_ picture: [UInt8]) -> [UInt8] {
        let half = width / 2, rows = height / 2
        var scaled = [UInt8](repeating: 0, count: half * rows * 3)
        picture.withUnsafeBufferPointer { source in
            scaled.withUnsafeMutableBufferPointer { target in
                for y in 0..<rows {
                    for x in 0..<half {
                        for channel in 0..<3 {
                            let top = (2 * y * width + 2 * x) * 3 + channel, bottom = top + width * 3
                            let sum = Int(source[top]) + Int(source[top + 3]) + Int(source[bottom]) + Int(source[bottom + 3])
                            target[(y * half + x) * 3 + channel] = UInt8((sum + 2) / 4)
                        }
                    }
                }
            }
        }
        return scaled
    }
}
