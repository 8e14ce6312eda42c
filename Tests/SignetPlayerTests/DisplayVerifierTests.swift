import SignetCore
import SignetRender
import Testing

@testable import SignetPlayer

@Suite("Display verification: the player's frames and the screen's capture against the approved frame")
struct DisplayVerifierTests {
    /// A fingerprint whose cells are all `level` in one channel.
    static func picture(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> Fingerprint {
        Fingerprint(values: Array((0..<64).flatMap { _ in [red, green, blue] }))!
    }

    let russian = picture(255, 255, 255), ukrainian = picture(0, 87, 183), safe = picture(64, 64, 64)

    @Test func aFrameTheReleaseDidNotApproveIsThePlayersFault() {
        var verifier = DisplayVerifier(captureConfigured: false)
        let first = verifier.checkRender(slide: "welcome", release: 2, rendered: ukrainian, expected: russian, at: 0, wall: 1_000)
        #expect(first.alerts.map(\.kind) == [.renderMismatch, .containment])
        #expect(first.alerts[0].classification == .player && first.alerts[0].expected == russian.description && first.alerts[0].distance == 255)
        #expect(first.action == .reoutput)
        // Still wrong: alerted once, and contained step by step.
        var actions: [Containment.Action] = []
        for now in stride(from: Int64(1_000), through: 5_000, by: 1_000) {
            let outcome = verifier.checkRender(slide: "welcome", release: 2, rendered: ukrainian, expected: russian, at: now, wall: 1_000 + now)
            #expect(!outcome.alerts.contains { $0.kind == .renderMismatch })
            if let action = outcome.action { actions.append(action) }
        }
        #expect(actions == [.showSafeSlide])
        // A frame that matches, and black (no slide to check), raise nothing.
        var clean = DisplayVerifier(captureConfigured: false)
        #expect(clean.checkRender(slide: "welcome", release: 2, rendered: russian, expected: russian, at: 0, wall: 1).alerts.isEmpty)
        #expect(clean.checkRender(slide: "welcome", release: 2, rendered: ukrainian, expected: nil, at: 0, wall: 1).alerts.isEmpty)
    }

    @Test func aCaptureThatDiffersFromTheOutputPutsTheFaultDownstream() {
        var verifier = DisplayVerifier(captureConfigured: true, latencyMilliseconds: 500)
        verifier.output(russian, at: 0)
        #expect(verifier.checkRender(slide: "welcome", release: 2, rendered: russian, expected: russian, at: 10, wall: 10) == .init())
        // Before the outputs have carried a frame for the latency, nothing is compared.
        #expect(verifier.checkCapture(ukrainian, takenAt: 300, at: 300, wall: 300) == .init())
        #expect(verifier.checkCapture(russian, takenAt: 600, at: 600, wall: 600) == .init())
        #expect(verifier.capture == .match)
        let swapped = verifier.checkCapture(ukrainian, takenAt: 700, at: 700, wall: 700)
        #expect(swapped.alerts.map(\.kind) == [.displayMismatch, .containment])
        #expect(swapped.alerts[0].classification == .downstream && swapped.alerts[0].rendered == russian.description
                && swapped.alerts[0].captured == ukrainian.description)
        #expect(swapped.action == .reoutput && verifier.capture == .mismatch && verifier.captured == ukrainian)
        // The safe slide after three more mismatching checks past the settling time; no second alert.
        var actions: [Containment.Action] = []
        for now in stride(from: Int64(800), through: 1_300, by: 100) {
            let outcome = verifier.checkCapture(ukrainian, takenAt: now, at: now, wall: now)
            #expect(!outcome.alerts.contains { $0.kind == .displayMismatch })
            if let action = outcome.action { actions.append(action) }
        }
        #expect(actions == [.showSafeSlide])
        #expect(verifier.containment.held == .safeSlide)
    }

    @Test func aSlideChangeIsNotAMismatchWhileThePictureTravels() {
        var verifier = DisplayVerifier(captureConfigured: true, latencyMilliseconds: 500)
        verifier.output(russian, at: 0)
        verifier.output(safe, at: 2_000)
        // At 2.3 s the capture may still show the frame before; at 2.6 s it must show the new one.
        #expect(verifier.checkCapture(russian, takenAt: 2_300, at: 2_300, wall: 2_300).action == nil)
        #expect(verifier.checkCapture(safe, takenAt: 2_350, at: 2_350, wall: 2_350).action == nil)
        #expect(verifier.checkCapture(russian, takenAt: 2_600, at: 2_600, wall: 2_600).action == .reoutput)
    }

    @Test func aCaptureFaultIsAlertedOnceAndNeverBlanksTheScreen() {
        var verifier = DisplayVerifier(captureConfigured: true)
        verifier.output(russian, at: 0)
        let first = verifier.captureFailed("the capture command ended", wall: 100)
        #expect(first.alerts.map(\.kind) == [.captureFault] && first.alerts[0].classification == .capture && first.action == nil)
        #expect(verifier.captureFailed("the capture command ended", wall: 200) == .init())
        #expect(verifier.capture == .missing && verifier.containment.step == .none)
        // Blind, the player's own check still contains a frame it drew wrong.
        var blind = verifier
        #expect(blind.checkRender(slide: "welcome", release: 2, rendered: ukrainian, expected: russian, at: 500, wall: 500).action == .reoutput)
        let back = verifier.checkCapture(russian, takenAt: 1_000, at: 1_000, wall: 1_000)
        #expect(back.alerts.map(\.kind) == [.captureRestored] && back.action == nil && verifier.capture == .match)
    }
}
