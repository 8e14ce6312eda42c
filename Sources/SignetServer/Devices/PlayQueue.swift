import HTTPTypes
import Logging
import ServiceLifecycle
import SignetCore
import Synchronization

/// Proofs of play waiting to be stored, their senders waiting for the answers: written together
/// in one transaction every `PlayService.interval` (a group commit). Every screen sends a batch a
/// minute; one transaction each kept the one writer so busy that fleet-wide commands queued
/// behind them for seconds. A lock, not an actor, as in `AcknowledgementQueue`.
final class PlayQueue: Sendable {
    private struct Waiting {
        let submission: PlaySubmission
        let answer: CheckedContinuation<Result<StoredPlays, PlayProofError>, any Error>
    }

    private let state = Mutex<(waiting: [Waiting], closed: Bool)>(([], false))

    /// Waits for the batch to be written with the others: what it added, or why it was refused.
    func submit(_ submission: PlaySubmission) async throws -> Result<StoredPlays, PlayProofError> {
        try await withCheckedThrowingContinuation { answer in
            let queued = state.withLock { state in
                guard !state.closed else { return false }
                state.waiting.append(Waiting(submission: submission, answer: answer))
                return true
            }
            if !queued { answer.resume(throwing: APIError(.serviceUnavailable, "the server is stopping; send the proofs of play again later")) }
        }
    }

    /// Writes every waiting batch in one transaction and answers each sender. If the transaction
    /// fails, each batch is tried alone, so that one the database refuses (its screen deleted
    /// meanwhile, say) fails only its own sender, who sends it again later.
    func write(to store: ServerStore, logger: Logger) async {
        let waiting = state.withLock { state in
            defer { state.waiting = [] }
            return state.waiting
        }
        guard !waiting.isEmpty else { return }
        do { try await Self.store(waiting, in: store) } catch {
            for one in waiting {
                do { try await Self.store([one], in: store) } catch {
                    logger.error("proofs of play not stored", metadata: ["screen": .string(one.submission.batch.screen), "error": .string("\(error)")])
                    one.answer.resume(throwing: error)
                }
            }
        }
    }

    /// Stores `group` in one transaction and answers its senders; if it fails, nobody is answered.
    private static func store(_ group: [Waiting], in store: ServerStore) async throws {
        let results = try await store.storePlays(group.map(\.submission))
        for (waiting, result) in zip(group, results) { waiting.answer.resume(returning: result) }
    }

    /// Batches waiting to be written.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// No more batches: later senders are told the server is stopping.
    func close() { state.withLock { $0.closed = true } }
}

/// Writes the queue every `interval`, and at shutdown what is left.
struct PlayService: Service {
    let queue: PlayQueue
    let store: ServerStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await every(interval, finalRun: true) { await queue.write(to: store, logger: logger) }
        queue.close()
        await queue.write(to: store, logger: logger)
    }
}
