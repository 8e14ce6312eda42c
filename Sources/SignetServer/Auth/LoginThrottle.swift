import SignetCore

/// Login attempts per client address in the current minute: a cap on password guessing across
/// many accounts from one place. (Per-account lockout is in the database.)
actor LoginThrottle {
    private let perMinute: Int
    private var minute: Int64 = 0
    private var attempts: [String: Int] = [:]

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Counts an attempt; false when the address has used up this minute's attempts.
    func allow(address: String, now: Instant) -> Bool {
        let current = now.millisecondsSince1970 / 60_000
        if current != minute {
            minute = current
            attempts = [:]
        }
        attempts[address, default: 0] += 1
        return attempts[address]! <= perMinute
    }
}
