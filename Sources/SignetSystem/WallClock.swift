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
