import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SignetCore
import SignetRender
import SignetSystem
import SignetTUFClient
import Synchronization

/// Many players in one process, for load tests: each screen is registered and enrolled through
/// the API with a key of its own, opens its own channel with a signed request, verifies every
/// command against the root's commands key with its own sequence state, acknowledges it, runs its
/// own TUF update into its own cache on every release notice, and sends heartbeats. Rendering is
/// left out unless asked for (a fleet of renderers measures the renderer, not the fleet): with a
/// renderer, each heartbeat carries the fingerprint and slide of the frame the screen would show.
public struct FleetSimulator: Sendable {
    public struct Options: Sendable {
        public var server: String
        /// An admin's API token: screens are registered and enrolled through the API.
        public var token: String
        public var screens: Int
        /// Screen ids are PREFIX00001, PREFIX00002, ...
        public var prefix = "sim-"
        public var group = "sim"
        public var width = 960
        public var height = 480
        /// Per-screen state (trusted metadata, caches); a tmpfs keeps a large fleet off the disk.
        public var folder: String
        public var heartbeatInterval: Duration = .seconds(10)
        /// How often each screen ends a showing and sends its proofs of play; nil: never.
        public var playInterval: Duration?
        /// Requests in flight while registering and connecting.
        public var concurrency = 64
        /// Renders each screen's frame for its heartbeats (nil: no rendering).
        public var renderer: SlideRenderer?

        public init(server: String, token: String, screens: Int, folder: String) {
            self.server = server
            self.token = token
            self.screens = screens
            self.folder = folder
        }
    }

    let options: Options
    let http: HTTPClient
    let logger: Logger

    public init(options: Options, http: HTTPClient, logger: Logger) {
        self.options = options
        self.http = http
        self.logger = logger
    }

    public func screenID(_ index: Int) -> String { options.prefix + String(format: "%05d", index + 1) }

    /// Registers and enrolls every screen; `progress` hears how many are done.
    public func enroll(progress: @escaping @Sendable (Int) -> Void) async throws -> [SimulatedScreen] {
        let admin = AdminClient(base: options.server, token: options.token, http: http)
        let root = try await admin.get("/repository/metadata/1.root.json")
        let keys = try CommandKeys(root: try Metadata<Root>(bytes: root, roleName: Root.type).signed)
        let done = Atomic<Int>(0)
        let verified = VerifiedBatches(), programmes = ProgrammeMemo()
        return try await inBatches(0..<options.screens) { index in
            let id = screenID(index)
            try await admin.registerScreen(id, width: options.width, height: options.height, group: options.group)
            let token = try await admin.enrollmentToken(id)
            let folder = "\(options.folder)/\(id)"
            let identity = try await DeviceIdentity.enroll(server: options.server, token: token, trustedRoot: root, folder: folder, http: http)
            let count = done.add(1, ordering: .relaxed).newValue
            if count % 500 == 0 || count == options.screens { progress(count) }
            return SimulatedScreen(identity: identity, folder: folder, keys: keys, verified: verified, programmes: programmes, renderer: options.renderer,
                                   http: http, logger: logger)
        }
    }

    /// Opens every screen's channel; `progress` hears how many are open.
    public func connect(_ screens: [SimulatedScreen], progress: @escaping @Sendable (Int) -> Void) async throws {
        guard let url = URL(string: options.server), let host = url.host, let port = url.port else {
            throw PlayerError("fleet-sim needs a server address like http://127.0.0.1:8080")
        }
        let done = Atomic<Int>(0)
        _ = try await inBatches(screens.indices) { index in
            try await screens[index].connect(host: host, port: port)
            let count = done.add(1, ordering: .relaxed).newValue
            if count % 1000 == 0 || count == screens.count { progress(count) }
            return ()
        }
    }

    /// Sends each screen's heartbeat every interval, spread evenly over it; until cancelled.
    public func heartbeats(_ screens: [SimulatedScreen]) async {
        let started = ContinuousClock.now
        let gap = options.heartbeatInterval / max(screens.count, 1)
        while !Task.isCancelled {
            for screen in screens {
                screen.sendHeartbeat(uptime: Int64((ContinuousClock.now - started).components.seconds))
                do { try await Task.sleep(for: gap) } catch { return }
            }
        }
    }

    /// Runs `body` for each element, `concurrency` at a time; results in order.
    /// Each screen's proofs of play every `options.playInterval`, spread over it, until cancelled;
    /// each screen sends one batch at a time (a slow server delays its next, it does not pile up).
    public func proofsOfPlay(_ screens: [SimulatedScreen]) async {
        guard let interval = options.playInterval else { return }
        let gap = interval / max(screens.count, 1)
        await withDiscardingTaskGroup { group in
            for (index, screen) in screens.enumerated() {
                group.addTask {
                    do {
                        try await Task.sleep(for: gap * index)
                        while !Task.isCancelled {
                            let started = ContinuousClock.now
                            await screen.reportPlays(now: SystemWallClock().now().millisecondsSince1970)
                            try await Task.sleep(until: started + interval)
                        }
                    } catch {}
                }
            }
        }
    }

    /// Sends every screen's proofs of play the server does not hold yet (at shutdown).
    public func flushPlays(_ screens: [SimulatedScreen]) async {
        _ = try? await inBatches(screens.indices) { index in await screens[index].sendPendingPlays() }
    }

    func inBatches<Indices: Collection<Int> & Sendable, Value: Sendable>(_ indices: Indices, _ body: @escaping @Sendable (Int) async throws -> Value)
        async throws -> [Value]
    {
        var results = [Value?](repeating: nil, count: indices.count)
        try await withThrowingTaskGroup(of: (Int, Value).self) { group in
            var next = indices.startIndex
            for _ in 0..<min(options.concurrency, indices.count) {
                let index = indices[next]
                group.addTask { (index, try await body(index)) }
                next = indices.index(after: next)
            }
            while let (index, value) = try await group.next() {
                results[index - indices.first!] = value
                if next != indices.endIndex {
                    let index = indices[next]
                    group.addTask { (index, try await body(index)) }
                    next = indices.index(after: next)
                }
            }
        }
        return results.map { $0! }
    }
}

/// An admin's calls that the simulator needs.
struct AdminClient: Sendable {
    let base: String
    let token: String
    let http: HTTPClient

    func send(_ method: HTTPMethod, _ path: String, _ body: JSONObject? = nil) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.compact.encode(.object(body))))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        return (Int(response.status.code), Array(try await response.body.collect(upTo: 16 << 20).readableBytesView))
    }

    func get(_ path: String) async throws -> [UInt8] {
        let (status, body) = try await send(.GET, path)
        guard status == 200 else { throw PlayerError("GET \(path): \(status)") }
        return body
    }

    /// Registers a screen; one that exists already is fine (a second run reuses it).
    func registerScreen(_ id: String, width: Int, height: Int, group: String) async throws {
        let (status, body) = try await send(.POST, "/api/v1/screens", ["id": .string(id), "name": .string(id), "width": .integer(Int64(width)),
                                                                        "height": .integer(Int64(height)), "time_zone": "UTC",
                                                                        "groups": [.string(group)]])
        guard status == 201 || status == 409 else { throw PlayerError("registering \(id): \(status) \(String(decoding: body.prefix(200), as: UTF8.self))") }
    }

    func enrollmentToken(_ id: String) async throws -> String {
        let (status, body) = try await send(.POST, "/api/v1/screens/\(id)/enrollment")
        guard status == 201, let token = (try? JSONParser().parse(body))?.objectValue?["token"]?.stringValue else {
            throw PlayerError("enrollment token for \(id): \(status) \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return token
    }
}
