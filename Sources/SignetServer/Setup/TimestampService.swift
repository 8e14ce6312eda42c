import Logging
import ServiceLifecycle
import SignetCore
import SignetSystem

/// Re-signs the repository's timestamp on a schedule, so that players always find a fresh one
/// while a short expiry keeps a frozen or replayed timestamp from being accepted for long.
struct TimestampService: Service {
    let publisher: ReleasePublisher
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await every(interval, startNow: true) { await refresh() }
    }

    func refresh() async {
        // Replicas sharing the repository: one re-signs for all (and another takes over if it dies).
        guard await publisher.store.database.leads(.timestampSigner) else { return }
        do {
            // One replica at a time reads and re-signs the shared repository's files.
            let now = clock.now()
            if let version = try await publisher.store.database.exclusively(.repository, { try await publisher.refreshTimestamp(now: now) }) {
                logger.info("timestamp re-signed", metadata: ["version": .stringConvertible(version)])
            }
        } catch {
            logger.error("timestamp re-signing failed", metadata: ["error": .string("\(error)")])
        }
    }
}
