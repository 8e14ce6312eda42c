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
