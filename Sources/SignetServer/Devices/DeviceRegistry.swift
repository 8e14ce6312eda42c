import Logging
import ServiceLifecycle
import SignetCore

/// Devices' keys, the last request time accepted from each, and their latest heartbeats, held in
/// memory so that a heartbeat costs no database round trip; `DeviceStatusService` writes what
/// changed to the database every few seconds and at shutdown.
actor DeviceRegistry {
    struct Device: Sendable {
        let key: PublicKey
        var lastTime: Int64?
    }

    let store: ServerStore
    private var devices: [String: Device] = [:]
    private var latest: [String: DeviceStatus] = [:]
    private var unsaved: Set<String> = []
    private var releases: [String: Int64] = [:]
    private var loggedForks: Set<String> = []
    /// Screens whose silence has been alerted and not yet ended.
    private var silent: Set<String> = []
    /// When each screen's latest thumbnail came (since the server started): the wall reloads a
    /// tile's picture when this changes.
    private var thumbnails: [String: Instant] = [:]

    init(store: ServerStore) { self.store = store }

    /// The screen's enrolled key and last accepted time, from memory or the database.
    func device(_ screen: String) async throws -> Device? {
        if let device = devices[screen] { return device }
        guard let key = try await store.deviceKey(screen: screen) else { return nil }
        let lastTime = try await store.deviceStatus(screen: screen)?.lastTime
        // Another request may have loaded it while this one waited.
        let device = devices[screen] ?? Device(key: key, lastTime: lastTime)
        devices[screen] = device
        return device
    }

    /// Records a verified request's time, unless a later one was accepted meanwhile (the
    /// requests raced): then it is refused as out of order.
    func accept(screen: String, time: Int64, key: PublicKey) throws(DeviceSignature.Refusal) {
        guard var device = devices[screen], device.key == key else { throw .badSignature }  // re-enrolled meanwhile
        if let last = device.lastTime, time <= last { throw .replayed(last: last) }
        device.lastTime = time
        devices[screen] = device
    }

    /// Keeps a heartbeat; returns the release the screen reported before it.
    @discardableResult
    func record(_ status: DeviceStatus, release: Int64?) -> Int64? {
        latest[status.screen] = status
        unsaved.insert(status.screen)
        defer { releases[status.screen] = release }
        return releases[status.screen]
    }

    func thumbnailReceived(_ screen: String, at instant: Instant) { thumbnails[screen] = instant }

    /// Each screen's latest heartbeat and thumbnail time, in one call for a whole list (the wall
    /// asks for every screen twice a second per open console).
    func wallStates(_ screens: [String]) -> [(status: DeviceStatus?, thumbnailAt: Instant?)] {
        screens.map { (latest[$0], thumbnails[$0]) }
    }

    /// Whether this is the first heartbeat of `screen` to carry a log alert (since the server started).
    func firstLogAlert(_ screen: String) -> Bool { loggedForks.insert(screen).inserted }

    /// Screens that fell silent (no heartbeat for longer than `milliseconds`) since the last call,
    /// and silent ones that spoke again; each change is reported once.
    func silenceChanges(now: Instant, after milliseconds: Int64) -> (silent: [DeviceStatus], back: [DeviceStatus]) {
        var fell: [DeviceStatus] = [], back: [DeviceStatus] = []
        for (screen, status) in latest {
            let quiet = now.millisecondsSince1970 - status.lastSeen.millisecondsSince1970 > milliseconds
            if quiet, silent.insert(screen).inserted { fell.append(status) }
            if !quiet, silent.remove(screen) != nil { back.append(status) }
        }
        return (fell.sorted { $0.screen < $1.screen }, back.sorted { $0.screen < $1.screen })
    }

    var silentCount: Int { silent.count }

    /// A new enrollment: the old key is gone, and its time order with it.
    func forget(_ screen: String) {
        devices[screen] = nil
    }

    func status(_ screen: String) -> DeviceStatus? { latest[screen] }

    /// Statuses a failed save must try again (unless a newer heartbeat replaced them).
    func markUnsaved(_ statuses: [DeviceStatus]) {
        for status in statuses where latest[status.screen] == status { unsaved.insert(status.screen) }
    }

    func takeUnsaved() -> [DeviceStatus] {
        defer { unsaved = [] }
        return unsaved.compactMap { latest[$0] }
    }

    /// Heartbeats other replicas saved: newer ones replace what this replica last heard.
    func merge(_ saved: [DeviceStatus]) {
        for status in saved where latest[status.screen].map({ $0.lastSeen < status.lastSeen }) ?? true { latest[status.screen] = status }
    }

    /// Loads what was saved, so that a restart keeps last-seen times and time order.
    func load() async throws {
        for status in try await store.deviceStatuses() where latest[status.screen] == nil { latest[status.screen] = status }
    }
}

/// Saves the registry's changes every `interval`, and once more at shutdown.
struct DeviceStatusService: Service {
    let registry: DeviceRegistry
    let store: ServerStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await registry.load()
        await every(interval, finalRun: true) { await save() }
    }

    func save() async {
        let statuses = await registry.takeUnsaved()
        do { try await store.saveDeviceStatuses(statuses) } catch {
            await registry.markUnsaved(statuses)
            logger.error("device status not saved", metadata: ["screens": .stringConvertible(statuses.count), "error": .string("\(error)")])
        }
    }
}
