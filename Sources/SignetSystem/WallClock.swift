import Synchronization
import Foundation
import SignetCore

/// Where the server reads the time: injected, so that tests can move it.
public protocol WallClock: Sendable {
    func now() -> Instant
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Instant { Instant(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }
}

/// The wall clock as if it had read `start` at the moment this was made, then run at the normal
/// rate: demos and drills replay a day of the past in real time.
public struct ShiftedWallClock: WallClock {
    let start: Instant
    let origin = ContinuousClock.now

    public init(start: Instant) { self.start = start }

    public func now() -> Instant {
        let elapsed = (ContinuousClock.now - origin).components
        return start.adding(milliseconds: elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)
    }
}

/// A shifted clock that can also be moved on (never back): a drill jumps past a freshness window
/// instead of waiting it out. Every part of the drill reads the same one.
public final class SteppedWallClock: WallClock {
    let shifted: ShiftedWallClock
    private let offset = Mutex<Int64>(0)

    public init(start: Instant) { shifted = ShiftedWallClock(start: start) }

    public func now() -> Instant { shifted.now().adding(milliseconds: offset.withLock { $0 }) }

    public func advance(milliseconds: Int64) {
        precondition(milliseconds >= 0, "a clock is never moved back")
        offset.withLock { $0 += milliseconds }
    }
}
