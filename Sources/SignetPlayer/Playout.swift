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

    public static func decide(_ state: ControlState, containment: Containment.Step = .none, hasProgramme: Bool, lastVerified: Instant?,
                              now: Instant, offlineGrace: Int64 = defaultOfflineGraceMilliseconds) -> Decision {
        guard hasProgramme else { return .black(reason: "no verified programme yet") }
        if state.mode == .blank { return .black(reason: "blanked by command") }
        // Containment (S5) only ever takes the screen further from the programme than commands did.
        switch containment {
        case .black: return containedBlack
        case .safeSlide: return containedSafeSlide
        case .none, .reoutput, .retry: break
        }
        if state.mode == .safe { return .safeSlide(reason: "safe slide by command") }
        guard let lastVerified, now.millisecondsSince1970 - lastVerified.millisecondsSince1970 <= offlineGrace else {
            return .safeSlide(reason: "no verified update for more than \(offlineGrace / 3_600_000) h")
        }
        return .programme
    }

    static let containedBlack = Decision.black(reason: "contained: the safe slide did not show as approved either")
    static let containedSafeSlide = Decision.safeSlide(reason: "contained: the screen did not show the approved frame")

    /// The containment step a decision carries out, if containment (not a command, not the
    /// offline grace) made it: what proofs of play record as `contained`.
    public static func containment(of decision: Decision) -> Containment.Step? {
        switch decision {
        case containedSafeSlide: .safeSlide
        case containedBlack: .black
        default: nil
        }
    }

    /// A frame to output: the canvas, the slide it shows (nil for black), and whether it is that
    /// slide alone (not in the middle of a fade), so that it can be checked against the slide's
    /// approved fingerprint.
    public struct Frame {
        /// What goes to the outputs.
        public let canvas: Canvas
        /// The same before the brightness policy dimmed it: what the approved fingerprint is of.
        public let drawn: Canvas
        public let slide: String?
        public let steady: Bool
    }

    /// The frame for a decision: the programme's at `instant`, or the screen's safe slide, or black;
    /// dimmed to the commanded brightness within the policy's cap at that time.
    public static func frame(_ decision: Decision, frames: inout ScreenFrames, state: ControlState, at instant: Instant)
        throws(RenderError) -> Frame
    {
        let canvas: Canvas, slide: String?, steady: Bool
        switch decision {
        case .programme:
            let (drawn, showing) = try frames.frame(at: instant)
            canvas = drawn
            slide = showing.slide
            steady = instant.millisecondsSince1970 - showing.start.millisecondsSince1970 >= showing.fadeMilliseconds
        case .safeSlide:
            canvas = try frames.still(frames.engine.screen.safeSlide)
            slide = frames.engine.screen.safeSlide
            steady = true
        case .black:
            let black = try frames.still(nil)
            return Frame(canvas: black, drawn: black, slide: nil, steady: true)
        }
        let brightness = frames.engine.brightnessCap(at: instant) * Double(state.brightness) / 100
        return Frame(canvas: brightness >= 1 ? canvas : OutputAdjustment(brightness: brightness, gamma: 2.2).apply(to: canvas),
                     drawn: canvas, slide: slide, steady: steady)
    }
}
