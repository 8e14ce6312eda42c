/// What a player does when a frame it renders, or the picture its capture sees, is not the
/// approved one (promise S5). Pure: the caller feeds it each check's result and the time, and
/// carries out the action it answers.
///
/// On the first mismatch the approved frame is output again (a dropped frame, a glitch in a
/// controller, a damaged frame in memory: a restore fixes these, and the screen never goes dark
/// for them). If the mismatch persists for `persistChecks` checks the screen shows its safe slide;
/// if that mismatches too, black. Once contained, the programme is tried again after
/// `retryAfter`, doubling each time it fails again; a check that matches after a retry resumes it.
public struct Containment: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        /// Mismatching checks after an action before the next step (and matching checks after a
        /// retry before the programme is resumed).
        public var persistChecks = 3
        /// Checks this soon after an action are not counted: the picture takes a moment to change.
        public var settleMilliseconds: Int64 = 300
        public var retryAfterMilliseconds: Int64 = 60_000
        public var maxRetryAfterMilliseconds: Int64 = 3_600_000

        public init() {}
    }

    public enum Step: String, Sendable, Equatable {
        case none
        /// The approved frame output again; waiting to see whether that fixed it.
        case reoutput = "re-output"
        case safeSlide = "safe slide"
        case black
        /// Contained, and the programme output again to see whether the fault has gone.
        case retry
    }

    public enum Action: String, Sendable, Equatable {
        case reoutput = "re-output the approved frame"
        case showSafeSlide = "show the safe slide"
        case blank = "blank the screen"
        case retryProgramme = "try the approved programme again"
        case resume = "resume the approved programme"
    }

    public let policy: Policy
    public private(set) var step = Step.none
    /// What containment holds the screen to, once it has gone past a re-output.
    public private(set) var held = Step.none

    /// What the screen must show now: what containment holds it to, except while a retry shows
    /// the programme again.
    public var showing: Step { step == .retry ? .retry : held }
    private var mismatches = 0
    private var settleUntil: Int64 = .min
    private var heldSince: Int64 = 0
    private var retryDelay: Int64

    public init(policy: Policy = Policy()) {
        self.policy = policy
        retryDelay = policy.retryAfterMilliseconds
    }

    /// One check's result at `now` (milliseconds); the action to take, if any.
    public mutating func observe(matches: Bool, at now: Int64) -> Action? {
        if now < settleUntil { return nil }
        switch step {
        case .none:
            guard !matches else { return nil }
            return act(.reoutput, at: now)
        case .reoutput:
            if matches {
                step = .none
                return .resume
            }
            return escalate(to: .safeSlide, at: now)
        case .safeSlide, .black:
            if matches {
                mismatches = 0
                guard now - heldSince >= retryDelay else { return nil }
                return act(.retryProgramme, at: now)
            }
            return step == .safeSlide ? escalate(to: .black, at: now) : nil
        case .retry:
            if matches {
                mismatches += 1
                guard mismatches >= policy.persistChecks else { return nil }
                step = .none
                held = .none
                retryDelay = policy.retryAfterMilliseconds
                return .resume
            }
            // Still faulty: back to what held it, at once, and wait twice as long next time.
            retryDelay = min(retryDelay * 2, policy.maxRetryAfterMilliseconds)
            return act(held == .black ? .blank : .showSafeSlide, at: now)
        }
    }

    /// A command from an operator (restore, safe, blank) takes over from containment.
    public mutating func reset() {
        self = Containment(policy: policy)
    }

    private mutating func escalate(to next: Step, at now: Int64) -> Action? {
        mismatches += 1
        guard mismatches >= policy.persistChecks else { return nil }
        return act(next == .black ? .blank : .showSafeSlide, at: now)
    }

    private mutating func act(_ action: Action, at now: Int64) -> Action {
        mismatches = 0
        settleUntil = now + policy.settleMilliseconds
        switch action {
        case .reoutput: step = .reoutput
        case .showSafeSlide: step = .safeSlide; held = .safeSlide; heldSince = now
        case .blank: step = .black; held = .black; heldSince = now
        case .retryProgramme: step = .retry
        case .resume: step = .none; held = .none
        }
        return action
    }
}
