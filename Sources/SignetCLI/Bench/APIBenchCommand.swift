import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SignetCore
import SignetSystem
import SignetServer
import SignetTUFClient

/// `signet bench api`: closed-loop load on the authenticated programme read and the signed device
/// heartbeat of a real Signet server (SQLite on disk, every check on), beside a minimal
/// Hummingbird server that answers the same bytes with nothing behind them, in the same run.
struct APIBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Requests per second and p99 of the programme read and device heartbeat: Signet vs a minimal Hummingbird server."
    )

    @Option(help: "Concurrent connections.") var connections = 16
    @Option(help: "Seconds per timed run.") var seconds = 4
    @Option(help: "Timed runs per server and endpoint, alternating (the median is reported).") var runs = 3
    @Option(help: "Enrolled devices sending heartbeats.") var devices = 64
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        guard connections >= 1, seconds >= 1, runs >= 1, devices >= connections else {
            throw ValidationError("need connections >= 1, seconds >= 1, runs >= 1 and devices >= connections")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bench-api-\(UUID().uuidString)").path
        try AtomicFile.createDirectory(work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var logger = Logger(label: "signet.bench")
        logger.logLevel = .error

        status("starting a Signet server (SQLite in \(work)) and a minimal Hummingbird server on loopback …")
        let store = try ServerStore(path: "\(work)/signet.sqlite")
        let password = try await store.createFirstAdmin(name: "bench", cost: 4, at: SystemWallClock().now())
        var config = ServerConfig()
        config.dataDirectory = work
        config.port = 0
        config.bcryptCost = 4
        config.loginAttemptsPerMinute = 1000
        let signetPort = PortBox(), anchorPort = PortBox()
        let signet = buildApplication(config: config, store: store, logger: logger) { channel in
            recordPort(channel, into: signetPort)
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)))
        defer { _ = http.shutdown() }

        // Each server in its own service group, so that it shuts down gracefully (its device status
        // saved) when the measuring is done.
        let signetGroup = ServiceGroup(configuration: .init(services: [signet], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await signetGroup.run() }
            let base = "http://127.0.0.1:\(try await signetPort.wait())"
            let seeded = try await BenchSeed.prepare(http: http, base: base, password: password, devices: devices)
            let anchor = minimalServer(programme: seeded.programmeResponse, heartbeat: seeded.heartbeatResponse, logger: logger) { channel in
                recordPort(channel, into: anchorPort)
            }
            let anchorGroup = ServiceGroup(configuration: .init(services: [anchor], logger: logger))
            group.addTask { try await anchorGroup.run() }
            let anchorBase = "http://127.0.0.1:\(try await anchorPort.wait())"
            status("  \(devices) devices enrolled; \(connections) connections, \(runs) runs of \(seconds) s per server and endpoint")

            let load = HTTPLoad(http: http, connections: connections, duration: .seconds(seconds))
            let clocks = DeviceClocks(count: devices)
            func programme(_ base: String) -> @Sendable (Int, Int) throws -> HTTPClientRequest {
                { _, _ in
                    var request = HTTPClientRequest(url: base + "/api/v1/programme")
                    request.headers.add(name: "Authorization", value: "Bearer \(seeded.token)")
                    return request
                }
            }
            func heartbeat(_ base: String) -> @Sendable (Int, Int) throws -> HTTPClientRequest {
                let connections = self.connections
                return { worker, n in
                    // Each worker owns every connections-th device, so device clocks never race.
                    let perWorker = seeded.devices.count / connections
                    let index = worker + (n % perWorker) * connections
                    let device = seeded.devices[index]
                    let body = Array(#"{"release": 2, "slide": "welcome", "fingerprint": "v1:0", "uptime_s": \#(n)}"#.utf8)
                    var request = HTTPClientRequest(url: base + "/api/v1/devices/heartbeat")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    for (name, value) in try DeviceSignature.headers(key: device.key, method: "POST", path: "/api/v1/devices/heartbeat",
                                                                     screen: device.screen, time: clocks.next(index), body: body) {
                        request.headers.add(name: name, value: value)
                    }
                    request.body = .bytes(ByteBuffer(bytes: body))
                    return request
                }
            }
            var results: [String: [HTTPLoad.Result]] = [:]
            for run in 1...runs {
                for (name, server, make) in [("programme", base, programme), ("programme-anchor", anchorBase, programme),
                                             ("heartbeat", base, heartbeat), ("heartbeat-anchor", anchorBase, heartbeat)] {
                    let result = try await load.run(make(server))
                    guard result.failures == 0 else { throw CLIError("\(name): \(result.failures) requests failed") }
                    results[name, default: []].append(result)
                }
                status("  run \(run): programme \(Int(results["programme"]!.last!.perSecond))/s vs \(Int(results["programme-anchor"]!.last!.perSecond))/s, "
                       + "heartbeat \(Int(results["heartbeat"]!.last!.perSecond))/s vs \(Int(results["heartbeat-anchor"]!.last!.perSecond))/s")
            }
            let report = APIBenchReport(connections: connections, seconds: seconds, runs: runs, results: results)
            print(json ? report.json : report.text)
            await anchorGroup.triggerGracefulShutdown()
            await signetGroup.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    /// The anchor: Hummingbird answering the same bytes, with no authentication, storage or checks.
    func minimalServer(programme: [UInt8], heartbeat: [UInt8], logger: Logger,
                       onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/v1/programme") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: programme)))
        }
        router.post("/api/v1/devices/heartbeat") { request, _ in
            _ = try await request.body.collect(upTo: 16 * 1024)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: heartbeat)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: onServerRunning, logger: logger)
    }
}

/// Records the port a server bound (port 0 picks a free one).
func recordPort(_ channel: any Channel, into box: PortBox) {
    box.set(channel.localAddress?.port ?? 0)
}
