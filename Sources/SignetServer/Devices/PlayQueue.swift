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

    /// Writes every waiting batch in one transaction and answers each sender; if the transaction
    /// fails, each sender gets its error (players send their batches again).
    func write(to store: ServerStore, logger: Logger) async {
        let waiting = state.withLock { state in
            defer { state.waiting = [] }
            return state.waiting
        }
        guard !waiting.isEmpty else { return }
        do {
            let results = try await store.storePlays(waiting.map(\.submission))
            for (waiting, result) in zip(waiting, results) { waiting.answer.resume(returning: result) }
        } catch {
            logger.error("proofs of play not stored", metadata: ["batches": .stringConvertible(waiting.count), "error": .string("\(error)")])
            for waiting in waiting { waiting.answer.resume(throwing: error) }
        }
    }

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
