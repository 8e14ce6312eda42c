import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdWebSocket
import Logging
import NIOCore
import SignetCore
import SignetSystem
import SignetRender
import ServiceLifecycle

/// The Signet server: its routes, each behind `AccessRules`, over the given store and clock.
/// `onServerRunning` receives the listening channel (its local address tells a port 0 apart).
public func buildApplication(config: ServerConfig, store: ServerStore, clock: any WallClock = SystemWallClock(),
                             logger: Logger, metrics: ServerMetrics = ServerMetrics(),
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: SecurityHeaders())
    let assets = AssetFiles(directory: "\(config.dataDirectory)/assets", maxBytes: config.maxAssetBytes)
    var expiry = ExpiryPolicy()
    expiry.timestamp = Int64(config.timestampMinutes) * 60
    let devices = DeviceRegistry(store: store)
    let hub = DeviceHub()
    let acknowledgements = AcknowledgementQueue()
    let plays = PlayQueue()
    let replicas = ReplicaBus(store: store, logger: logger)
    let publisher = ReleasePublisher(folder: config.dataDirectory, store: store, assets: assets, expiry: expiry)
    let services = Services(config: config, store: store, clock: clock, logger: logger,
                            throttle: LoginThrottle(perMinute: config.loginAttemptsPerMinute),
                            assets: assets,
                            typeface: loadTypeface(config.fontPath, logger: logger),
                            publisher: publisher,
                            metrics: metrics,
                            devices: devices,
                            hub: hub,
                            acknowledgements: acknowledgements,
                            plays: plays,
                            replicas: replicas,
                            decoyHash: Bcrypt.hash(Secrets.token(), cost: UInt8(config.bcryptCost)))
    let routes = GuardedRouter(router: router, services: services)
    SessionRoutes.register(routes)
    SessionRoutes.registerTOTP(routes)
    AccountRoutes.register(routes)
    RepositoryRoutes.register(routes)
    AssetRoutes.register(routes)
    ScreenRoutes.register(routes)
    ProgrammeRoutes.register(routes)
    DraftPreviewRoutes.register(routes)
    ReleaseRoutes.register(routes)
    GroupRoutes.register(routes)
    DeviceRoutes.register(routes)
    PlayRoutes.register(routes)
    CommandRoutes.register(routes)
    LogRoutes.register(routes)
    ForensicsRoutes.register(routes)
    ConsoleRoutes.register(routes)
    WallEvents.register(routes)
    OpenAPIDocument.register(routes)
    MetricsRoutes.register(routes)
    // The timestamp is re-signed at a third of its lifetime: two chances before it expires.
    let timestamps = TimestampService(publisher: publisher, clock: clock, interval: .seconds(config.timestampMinutes * 20), logger: logger)
    // Replicas sharing PostgreSQL hear of each other's fan-outs, publications and enrollments.
    let listener: [any Service] = (store.database as? PostgresDatabase).map {
        [ReplicaListener(bus: replicas, database: $0, hub: hub, devices: devices, logger: logger)]
    } ?? []
    return Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router), configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Signet"),
                       services: listener + [timestamps, LogCheckpointService(checkpointer: services.checkpointer, interval: .seconds(1), logger: logger),
                                  DeviceStatusService(registry: devices, store: store, interval: .seconds(5), logger: logger),
                                  AcknowledgementService(queue: acknowledgements, store: store, metrics: metrics, interval: .milliseconds(20),
                                                         logger: logger),
                                  PlayService(queue: plays, store: store, interval: .milliseconds(20), logger: logger),
                                  SilenceWatch(registry: devices, store: store, clock: clock, metrics: metrics,
                                               silenceMilliseconds: Int64(config.offlineAfterSeconds) * 1000,
                                               interval: .seconds(max(1, min(5, config.offlineAfterSeconds / 2))), logger: logger)],
                       onServerRunning: onServerRunning, logger: logger)
}

func loadTypeface(_ path: String, logger: Logger) -> Typeface? {
    do {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        return try Typeface(name: (path as NSString).lastPathComponent, bytes: bytes)
    } catch {
        logger.error("cannot load the renderer's font; previews are off", metadata: ["font": .string(path), "error": .string("\(error)")])
        return nil
    }
}

/// Headers on every response: no sniffing, no framing, no referrer, and a Content-Security-Policy
/// that allows nothing but this server's own files (no inline script).
struct SecurityHeaders: RouterMiddleware {
    typealias Context = AppRequestContext
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        // A route may set a stricter policy of its own (the console's).
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[Self.referrerPolicy] = "no-referrer"
        return response
    }
}
