import Logging
import ServiceLifecycle
import Synchronization

/// Signs a checkpoint of the transparency log every `interval` while it grows, so that a
/// checkpoint is never older than that (and a reader asking for one gets it signed at once).
/// A failure is logged when it starts or changes, not every interval (a repository waiting for
/// its first signatures has no root, hence no log key, for as long as that takes).
struct LogCheckpointService: Service {
    let checkpointer: LogCheckpointer
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let lastFailure = Mutex<String?>(nil)
        await every(interval, startNow: true, finalRun: true) {
            do {
                _ = try await checkpointer.checkpoint()
                lastFailure.withLock { $0 = nil }
            } catch {
                let message = "\(error)"
                guard lastFailure.withLock({ last in defer { last = message }; return last != message }) else { return }
                logger.warning("log checkpoint not signed", metadata: ["error": .string(message)])
            }
        }
    }
}
