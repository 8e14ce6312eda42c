/// When each frame of an output is due, at a fixed rate from a start instant. A sender that falls
/// behind skips the frames it missed rather than bunching them up: LED controllers show frames as
/// they come, so a late burst would be visible as a stutter.
public struct FramePacer: Sendable {
    public let interval: Duration
    public private(set) var frame: Int64 = 0
    public private(set) var skipped: Int64 = 0

    public init(framesPerSecond: Int) {
        precondition(framesPerSecond > 0)
        interval = .nanoseconds(1_000_000_000 / Int64(framesPerSecond))
    }

    /// The offset from the start at which the next frame is due, given how long has passed.
    public mutating func nextDue(elapsed: Duration) -> Duration {
        frame += 1
        let due = interval * frame
        if elapsed >= due + interval {
            // A whole frame or more late: jump to the next frame still in the future.
            let behind = Int64((elapsed - due) / interval) + 1
            skipped += behind
            frame += behind
        }
        return interval * frame
    }
}

/// Sends `count` frames to every sink at the pacer's rate, sleeping on `clock` between frames.
/// `frame(index)` makes frame `index`; a frame goes to all sinks before the next is made.
public func playFrames<C: Clock>(to sinks: inout [any FrameSink], count: Int, pacer: inout FramePacer, clock: C,
                                 frame: (Int64) throws -> (rgb: [UInt8], width: Int, height: Int)) async throws
where C.Duration == Duration {
    let start = clock.now
    var index: Int64 = 0
    while index < Int64(count) {
        let made = try frame(index)
        for position in sinks.indices { try sinks[position].send(rgb: made.rgb, width: made.width, height: made.height) }
        guard index + 1 < Int64(count) else { break }
        let due = pacer.nextDue(elapsed: start.duration(to: clock.now))
        index = pacer.frame
        try await clock.sleep(until: start.advanced(by: due), tolerance: nil)
    }
}
