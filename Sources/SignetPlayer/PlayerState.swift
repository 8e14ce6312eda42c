import SignetCore
import SignetRender
import SignetTUFClient

/// What the player's tasks share: the commands' state (changed only through `receive`, which
/// saves it first), the verified programme in use, what is on screen, and the open channel.
actor PlayerState {
    struct Showing: Sendable, Equatable {
        var slide: String?
        var fingerprint: Fingerprint?
        var decision: Playout.Decision
    }

    struct Snapshot: Sendable {
        let control: ControlState
        let programme: (current: ContentCache.Current, programme: Programme)?
        let lastVerified: Instant?
        let containment: Containment.Step
    }

    private let controlStore: ControlStore
    private(set) var control: ControlState
    private(set) var programme: (current: ContentCache.Current, programme: Programme)?
    private(set) var lastVerified: Instant?
    private(set) var showing = Showing(slide: nil, fingerprint: nil, decision: .black(reason: "starting"))
    private(set) var socket: DeviceSocket?
    /// A screenshot command asked for a thumbnail of the next frame.
    private var thumbnailRequested = false
    /// A command changed what the screen must show: the next frame should not wait its turn.
    private var controlChanged = false
    /// The transparency log forked or rolled back under this player's eyes (why); it stays.
    private(set) var logAlert: String?
    /// Render and capture checks, and the containment they drive.
    private(set) var display: DisplayVerifier
    /// Containment asked for the frames to be drawn again from scratch.
    private var redrawRequested = false
    private let origin = ContinuousClock.now

    /// Records a log alert; true the first time.
    func raiseLogAlert(_ reason: String) -> Bool {
        defer { logAlert = logAlert ?? reason }
        return logAlert == nil
    }

    init(controlStore: ControlStore, cache: ContentCache, display: DisplayVerifier = DisplayVerifier(captureConfigured: false)) throws {
        self.controlStore = controlStore
        self.display = display
        control = try controlStore.load()
        programme = cache.current()
        lastVerified = cache.lastVerified()
    }

    var snapshot: Snapshot {
        Snapshot(control: control, programme: programme, lastVerified: lastVerified, containment: display.containment.showing)
    }

    /// Checks a command, carries it out and saves the new state, one command at a time.
    func receive(_ bytes: [UInt8], screen: String, keys: CommandKeys, now: TUFTime) throws -> ControlStore.Outcome {
        let outcome = try controlStore.receive(bytes, screen: screen, keys: keys, now: now)
        if case .carriedOut(let command, let control) = outcome {
            self.control = control
            controlChanged = true
            if [.blank, .safe, .restore].contains(command.action) { display.commandTookOver() }
        }
        return outcome
    }

    func verified(at instant: Instant, programme: (current: ContentCache.Current, programme: Programme)?) {
        lastVerified = instant
        if let programme { self.programme = programme }
    }

    func show(_ showing: Showing) { self.showing = showing }

    // MARK: Display verification

    /// Milliseconds since the player started, for containment's timings.
    func milliseconds(_ instant: ContinuousClock.Instant = .now) -> Int64 {
        let elapsed = (instant - origin).components
        return elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
    }

    func outputs(_ fingerprint: Fingerprint) { display.output(fingerprint, at: milliseconds()) }

    func checkRender(slide: String?, release: Int64?, rendered: Fingerprint, expected: Fingerprint?, wall: Int64) -> DisplayVerifier.Outcome {
        take(display.checkRender(slide: slide, release: release, rendered: rendered, expected: expected, at: milliseconds(), wall: wall))
    }

    func checkCapture(_ reading: CaptureReader.Reading, wall: Int64) -> DisplayVerifier.Outcome {
        switch reading {
        case .frame(let frame): take(display.checkCapture(frame.fingerprint, takenAt: milliseconds(frame.at), at: milliseconds(), wall: wall))
        case .fault(let why): display.captureFailed(why, wall: wall)
        }
    }

    /// An action changes what is output: the next frame goes at once (a re-output draws it afresh).
    private func take(_ outcome: DisplayVerifier.Outcome) -> DisplayVerifier.Outcome {
        if let action = outcome.action {
            controlChanged = true
            if action == .reoutput { redrawRequested = true }
        }
        return outcome
    }

    /// Whether containment asked for the frames to be drawn afresh, and no longer once asked.
    func takeRedrawRequest() -> Bool {
        defer { redrawRequested = false }
        return redrawRequested
    }

    func setSocket(_ socket: DeviceSocket?) { self.socket = socket }

    func requestThumbnail() { thumbnailRequested = true }

    /// Whether a command changed the control state since the last call.
    func takeControlChange() -> Bool {
        defer { controlChanged = false }
        return controlChanged
    }

    /// Whether a thumbnail is wanted, and no longer once asked.
    func takeThumbnailRequest() -> Bool {
        defer { thumbnailRequested = false }
        return thumbnailRequested
    }
}
