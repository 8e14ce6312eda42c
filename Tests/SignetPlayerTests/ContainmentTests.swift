import Testing

@testable import SignetPlayer

@Suite("Containment: re-output, then the safe slide, then black; the programme tried again later")
struct ContainmentTests {
    /// Checks every 100 ms from `start`; the actions taken, by time.
    func run(_ containment: inout Containment, from start: Int64, to end: Int64, matches: (Int64) -> Bool) -> [(Int64, Containment.Action)] {
        var actions: [(Int64, Containment.Action)] = []
        for now in stride(from: start, to: end, by: 100) {
            if let action = containment.observe(matches: matches(now), at: now) { actions.append((now, action)) }
        }
        return actions
    }

    @Test func aGlitchThatARestoreFixesNeverLeavesTheProgramme() {
        var containment = Containment()
        #expect(containment.observe(matches: false, at: 1_000) == .reoutput)
        #expect(containment.step == .reoutput)
        // Checks inside the settling time do not count, whatever they say.
        #expect(containment.observe(matches: true, at: 1_100) == nil)
        #expect(containment.observe(matches: true, at: 1_400) == .resume)
        #expect(containment.step == .none && containment.held == .none)
    }

    @Test func aPersistentMismatchGoesToTheSafeSlideAndThenToBlack() {
        var containment = Containment()
        // The approved frame never shows: re-output at once, the safe slide after 3 counted
        // checks, black after 3 more.
        let actions = run(&containment, from: 0, to: 3_000) { _ in false }
        #expect(actions.map(\.1) == [.reoutput, .showSafeSlide, .blank])
        #expect(actions.map(\.0) == [0, 500, 1_000])
        #expect(containment.held == .black)
    }

    @Test func aDownstreamSwapOfOneSlideIsHeldOnTheSafeSlideAndRetriedWithBackoff() {
        var policy = Containment.Policy()
        policy.retryAfterMilliseconds = 10_000
        var containment = Containment(policy: policy)
        // The programme mismatches whenever it is shown; the safe slide shows as approved.
        var showingProgramme = true
        var log: [(Int64, Containment.Action)] = []
        for now in stride(from: Int64(0), to: 60_000, by: 100) {
            let matches = !showingProgramme
            if let action = containment.observe(matches: matches, at: now) {
                log.append((now, action))
                showingProgramme = action == .reoutput || action == .retryProgramme || action == .resume
            }
        }
        #expect(log.prefix(2).map(\.1) == [.reoutput, .showSafeSlide])
        // Retries after 10 s on the safe slide, then 20 s: each fails at its first check and goes back.
        let retries = log.filter { $0.1 == .retryProgramme }.map(\.0)
        #expect(retries == [10_500, 30_800])
        #expect(!log.contains { $0.1 == .blank || $0.1 == .resume })
        #expect(containment.held == .safeSlide)
    }

    @Test func aRetryThatHoldsResumesTheProgrammeAndAResetEndsContainment() {
        var policy = Containment.Policy()
        policy.retryAfterMilliseconds = 1_000
        var containment = Containment(policy: policy)
        _ = run(&containment, from: 0, to: 600) { _ in false }
        #expect(containment.held == .safeSlide)
        // The fault is gone: the safe slide matches, the retry matches, the programme resumes.
        #expect(containment.showing == .safeSlide)
        _ = run(&containment, from: 600, to: 1_600) { _ in true }
        // The retry shows the programme while it is tried, though the safe slide still holds.
        #expect(containment.step == .retry && containment.held == .safeSlide && containment.showing == .retry)
        let actions = [(Int64(1_500), Containment.Action.retryProgramme)] + run(&containment, from: 1_600, to: 3_000) { _ in true }
        #expect(actions.map(\.1) == [.retryProgramme, .resume])
        #expect(containment.step == .none && containment.held == .none)
        _ = run(&containment, from: 3_000, to: 4_000) { _ in false }
        #expect(containment.held == .safeSlide)
        containment.reset()
        #expect(containment.step == .none && containment.held == .none)
    }
}
