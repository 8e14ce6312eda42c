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
        do {
            if let version = try await publisher.refreshTimestamp(now: clock.now()) {
                logger.info("timestamp re-signed", metadata: ["version": .stringConvertible(version)])
            }
        } catch {
            logger.error("timestamp re-signing failed", metadata: ["error": .string("\(error)")])
        }
    }
}
