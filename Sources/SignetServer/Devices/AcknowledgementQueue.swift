import Logging
import ServiceLifecycle
import SignetCore
import Synchronization

/// Acknowledgements that arrived on players' channels, written in batches: a fleet-wide command
/// brings thousands within a second, and one transaction per batch keeps the database from being
/// the slowest part (one per acknowledgement took about as long as the whole fan-out). A lock, not
/// an actor: each of those thousands of channel tasks adds one element, and a hop to an actor's
/// executor for each cost more than the adding.
final class AcknowledgementQueue: Sendable {
    private let pending = Mutex<[ReceivedAcknowledgement]>([])

    func add(_ acknowledgement: ReceivedAcknowledgement) { pending.withLock { $0.append(acknowledgement) } }

    func take() -> [ReceivedAcknowledgement] {
        pending.withLock { pending in
            defer { pending = [] }
            return pending
        }
    }

    /// Puts back a batch that could not be written, ahead of what came since.
    func putBack(_ batch: [ReceivedAcknowledgement]) { pending.withLock { $0 = batch + $0 } }
}

/// Writes the queue every `interval`, and what is left at shutdown.
struct AcknowledgementService: Service {
    let queue: AcknowledgementQueue
    let store: ServerStore
    let metrics: ServerMetrics
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await every(interval, finalRun: true) { await write() }
    }

    func write() async {
        let batch = queue.take()
        guard !batch.isEmpty else { return }
        do {
            let (recorded, audited) = try await store.acknowledge(batch)
            for received in batch { metrics.acknowledged(received.acknowledgement) }
            metrics.audited("command.ack", count: audited)
            logger.info("acknowledgements recorded", metadata: ["received": .stringConvertible(batch.count), "recorded": .stringConvertible(recorded)])
        } catch {
            queue.putBack(batch)
            logger.error("acknowledgements not recorded; retrying", metadata: ["count": .stringConvertible(batch.count), "error": .string("\(error)")])
        }
    }
}
