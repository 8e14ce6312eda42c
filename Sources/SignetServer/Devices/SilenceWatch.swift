import Logging
import ServiceLifecycle
import SignetCore
import SignetSystem

/// Raises an alert when a screen has sent nothing for `offline_after_seconds`, and another when
/// it is heard again: a screen that goes dark, whether by a fault or an attack, is noticed. The
/// alerts are audit events (`alert.screen.silent`, `alert.screen.back`), a warning in the log and
/// the `signet_screens_silent` gauge.
struct SilenceWatch: Service {
    let registry: DeviceRegistry
    let store: ServerStore
    let clock: any WallClock
    let metrics: ServerMetrics
    let silenceMilliseconds: Int64
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while true {
                do { try await Task.sleep(for: interval) } catch { break }
                await check()
            }
        }
    }

    func check() async {
        let now = clock.now()
        let (silent, back) = await registry.silenceChanges(now: now, after: silenceMilliseconds)
        for status in silent {
            logger.warning("screen silent", metadata: ["screen": .string(status.screen), "last_seen": .string(status.lastSeen.iso8601)])
            await alert("alert.screen.silent", status, now: now, ["last_seen": .string(status.lastSeen.iso8601),
                                                                  "silent_for_s": .integer((now.millisecondsSince1970 - status.lastSeen.millisecondsSince1970) / 1000)])
        }
        for status in back {
            logger.notice("screen heard again", metadata: ["screen": .string(status.screen)])
            await alert("alert.screen.back", status, now: now, ["last_seen": .string(status.lastSeen.iso8601)])
        }
        metrics.gauge(ServerMetrics.silentScreens, Double(await registry.silentCount))
    }

    func alert(_ action: String, _ status: DeviceStatus, now: Instant, _ detail: JSONObject) async {
        do {
            try await store.audit(at: now, actor: "server", action: action, subject: status.screen, address: status.address, detail: detail)
            metrics.audited(action)
        } catch {
            logger.error("alert not recorded", metadata: ["action": .string(action), "screen": .string(status.screen), "error": .string("\(error)")])
        }
    }
}
