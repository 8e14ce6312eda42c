import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Prometheus
import SignetCore
import SignetTUFRepository
import Synchronization

/// The server's Prometheus metrics: request counts and latencies by route template (never by raw
/// path, so a scanner cannot grow the label set), audit events by action, and the state of the
/// fleet and the repository read at scrape time.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Acknowledgements received and screens per reported release, readable in process (a
    /// benchmark watches them without asking the server over HTTP).
    public let fleet = FleetCounters()

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The Prometheus text exposition, as `/metrics` serves it.
    public func exposition() -> String { String(decoding: registry.emitToBuffer(), as: UTF8.self) }

    func acknowledged(_ acknowledgement: Acknowledgement) {
        let result = if case .done = acknowledgement.result { "done" } else { "refused" }
        registry.makeCounter(descriptor: Self.acknowledgements, labels: [("result", result)]).increment()
        fleet.acknowledged(refused: result == "refused")
    }

    func channel(opened: Bool) {
        gauge(Self.connected, Double(fleet.connectedChanged(by: opened ? 1 : -1)))
    }

    /// A screen's heartbeat names another release than its last one did.
    func releaseReported(_ release: Int64?, previously: Int64?) {
        guard release != previously else { return }
        let counts = fleet.moved(from: previously, to: release)
        for (release, count) in counts {
            gauge(Self.screensByRelease, Double(count), labels: [("release", String(release))])
        }
    }

    static let latencyBuckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                             .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                             .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]

    func requestFinished(method: HTTPRequest.Method, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests, labels: [("method", method.rawValue), ("route", route), ("status", String(status))])
            .increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("method", method.rawValue), ("route", route)],
                                       buckets: Self.latencyBuckets).record(duration)
    }

    func deviceRefused(_ reason: String) {
        registry.makeCounter(descriptor: Self.deviceRefusals, labels: [("reason", reason)]).increment()
    }

    func playsRecorded(_ count: Int) {
        registry.makeCounter(descriptor: Self.plays).increment(by: Int64(count))
    }

    func audited(_ action: String, count: Int = 1) {
        registry.makeCounter(descriptor: Self.auditEvents, labels: [("action", action)]).increment(by: Int64(count))
    }

    func gauge(_ descriptor: MetricNameDescriptor, _ value: Double, labels: [(String, String)] = []) {
        registry.makeGauge(descriptor: descriptor, labels: labels).set(value)
    }

    static var requests: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "http_requests", unitName: "total",
                                               helpText: "HTTP requests answered, by method, route template and status.") }
    static var latency: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "http_request_duration", unitName: "seconds",
                                              helpText: "Time to answer HTTP requests, by method and route template.") }
    static var auditEvents: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "audit_events", unitName: "total",
                                                  helpText: "State changes recorded in the audit trail, by action.") }
    static var deviceRefusals: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "device_requests_refused", unitName: "total",
                                                                           helpText: "Device requests refused, by reason (unknown, signature, skewed, replayed, message, proof).") }
    static var acknowledgements: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "command_acknowledgements", unitName: "total",
                                                                             helpText: "Command acknowledgements received from players, by result (done, refused).") }
    static var plays: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "play_records", unitName: "total",
                                                                  helpText: "Proof-of-play records accepted from players.") }
    static var screensByRelease: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "screens_reporting_release", unitName: "",
                                                                             helpText: "Screens whose latest heartbeat names each release (programme version).") }
    static var silentScreens: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "screens_silent", unitName: "",
                                                                          helpText: "Screens with no heartbeat for longer than offline_after_seconds.") }
    static var connected: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "devices_connected", unitName: "",
                                                                      helpText: "Players with an open channel.") }
    static var screens: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "screens", unitName: "",
                                              helpText: "Screens the server manages.") }
    static var enrolled: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "screens_enrolled", unitName: "",
                                               helpText: "Screens with an enrolled device key.") }
    static var proposals: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "release_proposals", unitName: "",
                                                helpText: "Release proposals, by state.") }
    static var metadataVersion: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "tuf_metadata_version", unitName: "",
                                                      helpText: "Version of each published top-level TUF role.") }
    static var metadataExpiry: MetricNameDescriptor { MetricNameDescriptor(namespace: "signet", metricName: "tuf_metadata_expires", unitName: "timestamp_seconds",
                                                     helpText: "When each published top-level TUF role expires (Unix time).") }
}

/// Times every request and counts it by its route template and status, refusals included.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.requestFinished(method: request.method, route: context.endpointPath ?? "unmatched",
                                    status: response.status.code, duration: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.requestFinished(method: request.method, route: context.endpointPath ?? "unmatched",
                                    status: status, duration: ContinuousClock.now - started)
            throw error
        }
    }
}

enum MetricsRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/metrics") { _, _, _ in
            try await services.recordFleetGauges()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers,
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: services.metrics.registry.emitToBuffer())))
        }
    }
}

extension Services {
    /// Gauges that describe state rather than events, read fresh for each scrape.
    func recordFleetGauges() async throws {
        let screens = try await store.screens()
        metrics.gauge(ServerMetrics.screens, Double(screens.count))
        metrics.gauge(ServerMetrics.enrolled, Double(screens.filter { $0.deviceKeyID != nil }.count))
        let proposals = try await store.proposals()
        for state in ReleaseProposal.State.allCases {
            metrics.gauge(ServerMetrics.proposals, Double(proposals.filter { $0.state == state }.count), labels: [("state", state.rawValue)])
        }
        guard let repository = try? FileRepository(directory: "\(config.dataDirectory)/repository").load(), repository.isPublished else { return }
        let roles: [(String, Int64?, TUFTime?)] = [
            (Root.type, repository.root?.signed.version, repository.root?.signed.expires),
            (Targets.type, repository.targetsRoles[Targets.type]?.signed.version, repository.targetsRoles[Targets.type]?.signed.expires),
            (Snapshot.type, repository.snapshot?.signed.version, repository.snapshot?.signed.expires),
            (Timestamp.type, repository.timestamp?.signed.version, repository.timestamp?.signed.expires),
        ]
        for (role, version, expires) in roles {
            if let version { metrics.gauge(ServerMetrics.metadataVersion, Double(version), labels: [("role", role)]) }
            if let expires { metrics.gauge(ServerMetrics.metadataExpiry, Double(expires.secondsSince1970), labels: [("role", role)]) }
        }
    }
}

/// Counts for the fleet that both the metrics and in-process observers read.
public final class FleetCounters: Sendable {
    private let state = Mutex<(acknowledgements: Int, refusals: Int, connected: Int, screensByRelease: [Int64: Int])>((0, 0, 0, [:]))

    /// Acknowledgements received, refusals included.
    public var acknowledgements: Int { state.withLock { $0.acknowledgements } }
    public var refusals: Int { state.withLock { $0.refusals } }

    /// Players with an open channel.
    public var connected: Int { state.withLock { $0.connected } }

    func connectedChanged(by delta: Int) -> Int { state.withLock { $0.connected += delta; return $0.connected } }

    public func screens(reporting release: Int64) -> Int { state.withLock { $0.screensByRelease[release] ?? 0 } }

    /// Screens by the release their latest heartbeat names.
    public var screensByRelease: [Int64: Int] { state.withLock { $0.screensByRelease } }

    func acknowledged(refused: Bool) {
        state.withLock {
            $0.acknowledgements += 1
            if refused { $0.refusals += 1 }
        }
    }

    /// Moves one screen from one release to another; the changed counts.
    func moved(from old: Int64?, to new: Int64?) -> [(Int64, Int)] {
        state.withLock { state in
            var changed: [(Int64, Int)] = []
            if let old {
                state.screensByRelease[old, default: 0] -= 1
                changed.append((old, state.screensByRelease[old]!))
            }
            if let new {
                state.screensByRelease[new, default: 0] += 1
                changed.append((new, state.screensByRelease[new]!))
            }
            return changed
        }
    }
}
