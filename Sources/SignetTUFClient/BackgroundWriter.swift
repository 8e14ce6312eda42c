import Dispatch
import SignetCore
import Synchronization

/// Runs file writes on background threads while the update goes on, so that the latency of each
/// fsync overlaps the verification of the next file instead of adding to it. `finish()` waits for
/// every write and reports the first failure; the updater calls it before any operation returns.
final class BackgroundWriter: Sendable {
    private let group = DispatchGroup()
    private let failure = Mutex<TUFError?>(nil)

    func write(_ body: @escaping @Sendable () throws(TUFError) -> Void) {
        group.enter()
        DispatchQueue.global().async {
            do throws(TUFError) {
                try body()
            } catch {
                self.failure.withLock { if $0 == nil { $0 = error } }
            }
            self.group.leave()
        }
    }

    func finish() async throws(TUFError) {
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
        let error = failure.withLock { stored in
            defer { stored = nil }
            return stored
        }
        if let error { throw error }
    }
}
