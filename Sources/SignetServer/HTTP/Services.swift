import Logging
import SignetCore
import SignetSystem
import SignetRender

/// What the route handlers share: configuration, storage, time, logging, login throttling.
struct Services: Sendable {
    let config: ServerConfig
    let store: ServerStore
    let clock: any WallClock
    let logger: Logger
    let throttle: LoginThrottle
    let assets: AssetFiles
    /// The renderer's font for previews; nil if it could not be loaded (previews then say so).
    let typeface: Typeface?
    let publisher: ReleasePublisher
    let metrics: ServerMetrics
    let devices: DeviceRegistry
    /// The players' open channels.
    let hub: DeviceHub
    /// Acknowledgements from the channels, written in batches.
    let acknowledgements: AcknowledgementQueue
    /// Proofs of play, written in batches.
    let plays: PlayQueue
    /// The other server replicas sharing the database, if any.
    let replicas: ReplicaBus
    /// Checked against when a name is unknown, so that a refusal takes as long either way.
    let decoyHash: String

    /// Players' latest thumbnails, one PNG per screen.
    var thumbnailFolder: String { "\(config.dataDirectory)/thumbnails" }

    func audit(_ actor: String, _ action: String, _ subject: String, _ address: String,
               _ detail: JSONObject = JSONObject()) async throws {
        try await store.audit(at: clock.now(), actor: actor, action: action, subject: subject, address: address, detail: detail)
        metrics.audited(action)
        logger.info("audit", metadata: ["actor": .string(actor), "action": .string(action), "subject": .string(subject),
                                        "address": .string(address)])
    }
}
