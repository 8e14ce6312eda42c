/// What a witness (a player, an approver) does with a checkpoint the log offers: it keeps the
/// newest checkpoint it has accepted and takes a newer one only with a consistency proof from it.
/// A log that offers a smaller tree, or a different tree of the same size, or one that its proof
/// does not connect, is showing this witness a history other than the one it saw: a fork.
public enum LogWitness {
    public enum Verdict: Sendable, Equatable {
        /// The first checkpoint this witness sees (nothing to compare it with).
        case first
        case unchanged
        case extended
        /// A smaller tree than the one accepted before.
        case rollback(String)
        /// A tree that is not an extension of the one accepted before.
        case fork(String)

        public var accepts: Bool {
            switch self {
            case .first, .unchanged, .extended: true
            case .rollback, .fork: false
            }
        }
    }

    /// `proof`: the consistency proof from `held.size` to `offered.size` (unused when there is
    /// nothing to prove).
    public static func judge(held: Checkpoint?, offered: Checkpoint, proof: [[UInt8]]) -> Verdict {
        guard let held else { return .first }
        guard held.origin == offered.origin else { return .fork("the checkpoint is of \(offered.origin), not \(held.origin)") }
        if offered.size < held.size {
            return .rollback("the log offers \(offered.size) entries; \(held.size) were accepted before")
        }
        if offered.size == held.size {
            return offered.root == held.root ? .unchanged : .fork("two different trees of \(held.size) entries")
        }
        if held.size == 0 { return .extended }
        guard ConsistencyProof.verify(first: held.size, second: offered.size, firstRoot: held.root, secondRoot: offered.root, proof: proof) else {
            return .fork("the tree of \(offered.size) entries does not extend the one of \(held.size) accepted before")
        }
        return .extended
    }
}
