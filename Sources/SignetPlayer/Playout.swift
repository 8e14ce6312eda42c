import SignetCore
import SignetRender

/// What a player puts on its screen at an instant: the programme's slide, the signed safe slide,
/// or black, and why. Pure: the caller supplies the state, the time and when its programme was
/// last verified.
public enum Playout {
    public enum Decision: Sendable, Equatable {
        case programme
        case safeSlide(reason: String)
        case black(reason: String)

        public var summary: String {
            switch self {
            case .programme: "the approved programme"
            case .safeSlide(let reason), .black(let reason): reason
            }
        }
    }

    /// After this long without a verified update the screen shows its safe slide (S3: a player cut
    /// off from its server does not run stale content for ever).
    public static let defaultOfflineGraceMilliseconds: Int64 = 7 * 86_400_000

    public static func decide(_ state: ControlState, hasProgramme: Bool, lastVerified: Instant?, now: Instant,
                              offlineGrace: Int64 = defaultOfflineGraceMilliseconds) -> Decision {
        guard hasProgramme else { return .black(reason: "no verified programme yet") }
        switch state.mode {
        case .blank: return .black(reason: "blanked by command")
        case .safe: return .safeSlide(reason: "safe slide by command")
        case .programme: break
        }
        guard let lastVerified, now.millisecondsSince1970 - lastVerified.millisecondsSince1970 <= offlineGrace else {
            return .safeSlide(reason: "no verified update for more than \(offlineGrace / 3_600_000) h")
        }
        return .programme
    }

    /// The frame for a decision: the programme's at `instant`, or the screen's safe slide, or black;
    /// dimmed to the commanded brightness within the policy's cap at that time.
    public static func frame(_ decision: Decision, frames: inout ScreenFrames, state: ControlState, at instant: Instant)
        throws(RenderError) -> Canvas
    {
        let canvas: Canvas
        switch decision {
        case .programme: canvas = try frames.frame(at: instant).canvas
        case .safeSlide: canvas = try frames.still(frames.engine.screen.safeSlide)
        case .black: return try frames.still(nil)
        }
        let brightness = frames.engine.brightnessCap(at: instant) * Double(state.brightness) / 100
        return brightness >= 1 ? canvas : OutputAdjustment(brightness: brightness, gamma: 2.2).apply(to: canvas)
    }
}
