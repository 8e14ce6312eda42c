import ServiceLifecycle

/// The loop of the server's periodic services: `work` every `interval` until the service group
/// shuts down (the first time at once if `startNow`), and once more after that if `finalRun`, in
/// a task of its own (the calling task is cancelled by then, and GRDB refuses work from a
/// cancelled task).
func every(_ interval: Duration, startNow: Bool = false, finalRun: Bool = false, _ work: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        if startNow { await work() }
        while true {
            do { try await Task.sleep(for: interval) } catch { break }
            await work()
        }
    }
    if finalRun { await Task { await work() }.value }
}
