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

    /// Records a log alert; true the first time.
    func raiseLogAlert(_ reason: String) -> Bool {
        defer { logAlert = logAlert ?? reason }
        return logAlert == nil
    }

    init(controlStore: ControlStore, cache: ContentCache) throws {
        self.controlStore = controlStore
        control = try controlStore.load()
        programme = cache.current()
        lastVerified = cache.lastVerified()
    }

    var snapshot: Snapshot { Snapshot(control: control, programme: programme, lastVerified: lastVerified) }

    /// Checks a command, carries it out and saves the new state, one command at a time.
    func receive(_ bytes: [UInt8], screen: String, keys: CommandKeys, now: TUFTime) throws -> ControlStore.Outcome {
        let outcome = try controlStore.receive(bytes, screen: screen, keys: keys, now: now)
        if case .carriedOut(_, let control) = outcome {
            self.control = control
            controlChanged = true
        }
        return outcome
    }

    func verified(at instant: Instant, programme: (current: ContentCache.Current, programme: Programme)?) {
        lastVerified = instant
        if let programme { self.programme = programme }
    }

    func show(_ showing: Showing) { self.showing = showing }

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
