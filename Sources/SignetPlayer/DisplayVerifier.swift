import SignetCore
import SignetRender

/// A player's checks of what it shows (promise S5), and the containment they drive. Pure: the
/// caller passes the times (`now` monotonic milliseconds, `wall` the device's clock).
///
/// Render check: each steady frame against the fingerprint the release approved for its slide. A
/// mismatch means the player itself drew something else: compromised or faulty.
/// Capture check: the capture's newest picture against what the outputs carried while it was
/// taken (allowing `latency` for the picture to travel), so a slide change or a fade is not a
/// mismatch. A render that matches and a capture that does not put the fault downstream.
/// A capture that delivers nothing is a capture fault: alerted, never a reason to blank a screen.
struct DisplayVerifier: Sendable {
    struct Outcome: Sendable, Equatable {
        var alerts: [DeviceAlert] = []
        var action: Containment.Action?
    }

    private(set) var containment: Containment
    let captureConfigured: Bool
    let latencyMilliseconds: Int64
    /// What the outputs carried, oldest first: each fingerprint from the time it was first sent.
    private(set) var outputs: [(fingerprint: Fingerprint, since: Int64)] = []
    /// The last render check: its slide, release and approved fingerprint, and whether it matched.
    private(set) var slide: String?
    private(set) var release: Int64?
    private(set) var expected: Fingerprint?
    private(set) var renderMatches = true
    private(set) var capture: PlayRecord.Capture?
    /// The first picture of a capture mismatch, kept as evidence.
    private(set) var captured: Fingerprint?
    private var captureFault: String?

    init(policy: Containment.Policy = Containment.Policy(), captureConfigured: Bool, latencyMilliseconds: Int64 = 500) {
        containment = Containment(policy: policy)
        self.captureConfigured = captureConfigured
        self.latencyMilliseconds = latencyMilliseconds
        capture = captureConfigured ? .missing : nil
    }

    /// The outputs now carry `fingerprint`.
    mutating func output(_ fingerprint: Fingerprint, at now: Int64) {
        guard outputs.last?.fingerprint != fingerprint else { return }
        outputs.append((fingerprint, now))
        // Older changes than the latency can no longer be on the screen.
        while outputs.count > 2, outputs[1].since < now - latencyMilliseconds - 5_000 { outputs.removeFirst() }
    }

    /// A frame the player rendered: `expected` is the release's fingerprint for its slide (nil
    /// for black, or a release that carries none: nothing to check it against).
    mutating func checkRender(slide: String?, release: Int64?, rendered: Fingerprint, expected: Fingerprint?,
                              at now: Int64, wall: Int64) -> Outcome {
        self.slide = slide
        self.release = release
        self.expected = expected
        let matches = expected.map { rendered.matches($0) } ?? true
        var outcome = Outcome()
        if !matches, renderMatches, let expected {
            outcome.alerts.append(DeviceAlert(kind: .renderMismatch, slide: slide, release: release, expected: expected.description,
                                               rendered: rendered.description, distance: Int64(rendered.distance(to: expected)),
                                               detail: "the player's own frame is not the approved one", at: wall))
        }
        renderMatches = matches
        // With a working capture, its checks drive containment (they also count the render's
        // verdict); without one, or while it delivers nothing, the render checks do.
        if !captureConfigured || capture == .missing { contain(matches, at: now, wall: wall, into: &outcome) }
        return outcome
    }

    /// The capture's newest picture, taken at `takenAt`.
    mutating func checkCapture(_ picture: Fingerprint, takenAt: Int64, at now: Int64, wall: Int64) -> Outcome {
        var outcome = Outcome()
        if let fault = captureFault {
            outcome.alerts.append(DeviceAlert(kind: .captureRestored, detail: "frames again after: \(fault)", at: wall))
            captureFault = nil
        }
        // Nothing to compare with until the outputs have carried a frame for a moment.
        guard let first = outputs.first, takenAt >= first.since + latencyMilliseconds else { return outcome }
        let shown = outputs(during: takenAt - latencyMilliseconds...takenAt)
        let matches = shown.contains { picture.matches($0) }
        if !matches, capture != .mismatch, renderMatches, let current = outputs.last?.fingerprint {
            outcome.alerts.append(DeviceAlert(kind: .displayMismatch, slide: slide, release: release, expected: expected?.description,
                                               rendered: current.description, captured: picture.description,
                                               distance: Int64(picture.distance(to: current)),
                                               detail: "the player's frame matches; the screen's capture does not", at: wall))
        }
        if matches { captured = nil } else if capture != .mismatch { captured = picture }
        capture = matches ? .match : .mismatch
        contain(matches && renderMatches, at: now, wall: wall, into: &outcome)
        return outcome
    }

    /// The capture delivered nothing readable: alerted once, and the screen is left as it is.
    mutating func captureFailed(_ why: String, wall: Int64) -> Outcome {
        capture = .missing
        captured = nil
        guard captureFault == nil else { return Outcome() }
        captureFault = why
        return Outcome(alerts: [DeviceAlert(kind: .captureFault, slide: slide, release: release, detail: why, at: wall)])
    }

    /// An operator's command takes over from containment.
    mutating func commandTookOver() { containment.reset() }

    private func outputs(during window: ClosedRange<Int64>) -> [Fingerprint] {
        outputs.indices.filter { index in
            let start = outputs[index].since
            let end = index + 1 < outputs.count ? outputs[index + 1].since : Int64.max
            return start <= window.upperBound && end >= window.lowerBound
        }.map { outputs[$0].fingerprint }
    }

    private mutating func contain(_ matches: Bool, at now: Int64, wall: Int64, into outcome: inout Outcome) {
        guard let action = containment.observe(matches: matches, at: now) else { return }
        outcome.action = action
        outcome.alerts.append(DeviceAlert(kind: .containment, step: action.rawValue, slide: slide, release: release, at: wall))
    }
}
