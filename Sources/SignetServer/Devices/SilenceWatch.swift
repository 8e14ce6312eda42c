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
        await every(interval) { await check() }
    }

    /// Screens named one by one in the log, per check; beyond that, a count and the first few
    /// (a fleet-wide outage is one line, and every screen still has its audit event).
    static let namedInLog = 20

    func check() async {
        // Replicas: one watches the whole fleet, from every replica's saved heartbeats.
        guard await store.database.leads(.fleetWatch) else { return }
        if store.engine == .postgres {
            do { await registry.merge(try await store.deviceStatuses()) } catch {
                logger.error("other replicas' heartbeats not read", metadata: ["error": .string("\(error)")])
            }
        }
        let now = clock.now()
        let (silent, back) = await registry.silenceChanges(now: now, after: silenceMilliseconds)
        let events = silent.map { status in
            LoggedEvent(at: now, actor: "server", action: "alert.screen.silent", subject: status.screen, address: status.address,
                     detail: ["last_seen": .string(status.lastSeen.iso8601),
                              "silent_for_s": .integer((now.millisecondsSince1970 - status.lastSeen.millisecondsSince1970) / 1000)])
        } + back.map { status in
            LoggedEvent(at: now, actor: "server", action: "alert.screen.back", subject: status.screen, address: status.address,
                     detail: ["last_seen": .string(status.lastSeen.iso8601)])
        }
        log(silent, "screen silent", level: .warning)
        log(back, "screen heard again", level: .notice)
        do {
            try await store.audit(events)
            if !silent.isEmpty { metrics.audited("alert.screen.silent", count: silent.count) }
            if !back.isEmpty { metrics.audited("alert.screen.back", count: back.count) }
        } catch {
            logger.error("alerts not recorded", metadata: ["count": .stringConvertible(events.count), "error": .string("\(error)")])
        }
        metrics.gauge(ServerMetrics.silentScreens, Double(await registry.silentCount))
    }

    func log(_ statuses: [DeviceStatus], _ message: Logger.Message, level: Logger.Level) {
        if statuses.count <= Self.namedInLog {
            for status in statuses {
                logger.log(level: level, message, metadata: ["screen": .string(status.screen), "last_seen": .string(status.lastSeen.iso8601)])
            }
        } else {
            logger.log(level: level, "\(message): \(statuses.count) screens", metadata: [
                "screens": .string(statuses.prefix(Self.namedInLog).map(\.screen).joined(separator: " ") + " ...")])
        }
    }
}
