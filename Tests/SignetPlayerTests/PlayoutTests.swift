import Foundation
import SignetCore
import SignetRender
import Testing

@testable import SignetPlayer

@Suite("What a player shows: the programme, the safe slide or black")
struct PlayoutTests {
    let now = Instant(iso8601: "2024-11-27T12:00:00+05:00")!

    @Test func commandsAndFreshnessDecide() {
        var state = ControlState()
        let fresh = now.adding(milliseconds: -60_000), stale = now.adding(milliseconds: -8 * 86_400_000)
        #expect(Playout.decide(state, hasProgramme: true, lastVerified: fresh, now: now) == .programme)
        #expect(Playout.decide(state, hasProgramme: false, lastVerified: fresh, now: now) == .black(reason: "no verified programme yet"))
        #expect(Playout.decide(state, hasProgramme: true, lastVerified: stale, now: now) == .safeSlide(reason: "no verified update for more than 168 h"))
        #expect(Playout.decide(state, hasProgramme: true, lastVerified: nil, now: now) != .programme)
        #expect(Playout.decide(state, hasProgramme: true, lastVerified: stale, now: now, offlineGrace: 9 * 86_400_000) == .programme)
        state.mode = .blank
        #expect(Playout.decide(state, hasProgramme: true, lastVerified: fresh, now: now) == .black(reason: "blanked by command"))
        state.mode = .safe
        #expect(Playout.decide(state, hasProgramme: true, lastVerified: fresh, now: now) == .safeSlide(reason: "safe slide by command"))
        // Containment takes the screen further from the programme, never back towards it.
        #expect(Playout.decide(state, containment: .black, hasProgramme: true, lastVerified: fresh, now: now)
                == .black(reason: "contained: the safe slide did not show as approved either"))
        #expect(Playout.decide(state, containment: .retry, hasProgramme: true, lastVerified: fresh, now: now) == .safeSlide(reason: "safe slide by command"))
        state.mode = .programme
        #expect(Playout.decide(state, containment: .safeSlide, hasProgramme: true, lastVerified: fresh, now: now)
                == .safeSlide(reason: "contained: the screen did not show the approved frame"))
        #expect(Playout.decide(state, containment: .reoutput, hasProgramme: true, lastVerified: fresh, now: now) == .programme)
        // Proofs of play say containment held the screen only when it did, not for a command or the offline grace.
        #expect(Playout.containment(of: Playout.decide(state, containment: .safeSlide, hasProgramme: true, lastVerified: fresh, now: now)) == .safeSlide)
        #expect(Playout.containment(of: .safeSlide(reason: "safe slide by command")) == nil)
        #expect(Playout.containment(of: Playout.decide(state, hasProgramme: true, lastVerified: stale, now: now)) == nil)
        state.mode = .blank
        #expect(Playout.decide(state, containment: .safeSlide, hasProgramme: true, lastVerified: fresh, now: now) == .black(reason: "blanked by command"))
    }

    @Test func eachDecisionRendersItsFrameWithinTheBrightnessCap() throws {
        let programme = try Programme(bytes: ContentCacheTests.programme)
        let typeface = try Typeface(name: "DejaVuSans", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))))
        let engine = try ScheduleEngine(programme: programme, screen: "astana-1")
        var frames = ScreenFrames(engine: engine, renderer: SlideRenderer(typeface: typeface)) { _ in ContentCacheTests.flag }
        var state = ControlState()
        let cap = engine.brightnessCap(at: now)
        #expect(cap < 1)  // a 6000 cd/m2 panel under a 5000 cd/m2 day cap
        let shown = try Playout.frame(.programme, frames: &frames, state: state, at: now).canvas
        #expect(shown == OutputAdjustment(brightness: cap, gamma: 2.2).apply(to: try frames.frame(at: now).canvas))
        let safeFrame = try Playout.frame(.safeSlide(reason: ""), frames: &frames, state: state, at: now)
        let safe = safeFrame.canvas
        #expect(safeFrame.slide == "safe" && safeFrame.steady)
        #expect(safe == OutputAdjustment(brightness: cap, gamma: 2.2).apply(to: try frames.still("safe")))
        #expect(Fingerprint(of: safe).distance(to: Fingerprint(of: shown)) > 24)
        let black = try Playout.frame(.black(reason: ""), frames: &frames, state: state, at: now).canvas
        #expect(black.width == 960 && black.pixels.enumerated().allSatisfy { $0.offset % 4 == 3 || $0.element == 0 })
        state.brightness = 40
        let dimmed = try Playout.frame(.programme, frames: &frames, state: state, at: now).canvas
        #expect(dimmed == OutputAdjustment(brightness: cap * 0.4, gamma: 2.2).apply(to: try frames.frame(at: now).canvas))
    }
}
