import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SignetCore
import SignetSystem
import SignetServer
import Synchronization

/// A port a server reports once it listens.
final class PortBox: Sendable {
    private let port = Mutex<Int?>(nil)

    func set(_ value: Int) { port.withLock { $0 = value } }

    func wait() async throws -> Int {
        for _ in 0..<1000 {
            if let value = port.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CLIError("a benchmark server did not start")
    }
}

/// Each device's request clock: now, or one past its last request, whichever is later, so that
/// the server sees every device's times strictly increasing.
final class DeviceClocks: Sendable {
    private let last: Mutex<[Int64]>

    init(count: Int) { last = Mutex(Array(repeating: 0, count: count)) }

    func next(_ device: Int) -> Int64 {
        let now = SystemWallClock().now().millisecondsSince1970
        return last.withLock { times in
            times[device] = max(now, times[device] + 1)
            return times[device]
        }
    }
}

/// The server's state for the benchmark, made through its own API as an admin would: the example
/// programme with its screens and flag, and enrolled devices with their keys.
struct BenchSeed: Sendable {
    struct Device: Sendable {
        let screen: String
        let key: SigningKey
    }

    let token: String
    let devices: [Device]
    /// What the programme read answers, for the anchor server to answer too.
    let programmeResponse: [UInt8]
    let heartbeatResponse: [UInt8]

    static func prepare(http: HTTPClient, base: String, password: String, devices count: Int) async throws -> BenchSeed {
        func send(_ method: HTTPMethod, _ path: String, _ body: [UInt8]? = nil, headers: [(String, String)] = [],
                  expect: Int = 200) async throws -> (body: [UInt8], cookie: String?) {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            let bytes = Array(try await response.body.collect(upTo: 16 << 20).readableBytesView)
            guard Int(response.status.code) == expect else {
                throw CLIError("\(method) \(path): \(response.status.code) \(String(decoding: bytes.prefix(300), as: UTF8.self))")
            }
            return (bytes, response.headers.first(name: "Set-Cookie").map { String($0.prefix { $0 != ";" }) })
        }
        func json(_ object: JSONObject) -> [UInt8] { JSONWriter.compact.encode(.object(object)) }
        func field(_ bytes: [UInt8], _ key: String) throws -> String {
            guard let value = try JSONParser().parse(bytes).objectValue?[key]?.stringValue else { throw CLIError("no \(key) in the answer") }
            return value
        }

        // The one-time password, changed; then an API token.
        let newPassword = "bench-" + UUID().uuidString
        var session = try await send(.POST, "/api/v1/session", json(["name": "bench", "password": .string(password)]))
        _ = try await send(.POST, "/api/v1/me/password", json(["current": .string(password), "new": .string(newPassword)]),
                           headers: [("Cookie", session.cookie ?? ""), ("X-CSRF-Token", try field(session.body, "csrf_token"))])
        session = try await send(.POST, "/api/v1/session", json(["name": "bench", "password": .string(newPassword)]))
        let created = try await send(.POST, "/api/v1/me/tokens", json(["label": "bench"]),
                                     headers: [("Cookie", session.cookie ?? ""), ("X-CSRF-Token", try field(session.body, "csrf_token"))], expect: 201)
        let token = try field(created.body, "token")
        let bearer = [("Authorization", "Bearer \(token)")]

        // The example programme: its three screens and the flag image.
        for (id, width, height, zone, groups) in [("astana-1", 960, 480, "Asia/Almaty", ["astana", "roadside"]),
                                                  ("astana-2", 768, 384, "Asia/Almaty", ["astana", "roadside"]),
                                                  ("berlin-1", 1920, 1080, "Europe/Berlin", ["berlin"])] {
            _ = try await send(.POST, "/api/v1/screens", json(["id": .string(id), "name": .string(id), "width": .integer(Int64(width)),
                                                               "height": .integer(Int64(height)), "time_zone": .string(zone),
                                                               "groups": .array(groups.map(JSONValue.string))]), headers: bearer, expect: 201)
        }
        let example = try SourceTree.locate("Examples/state-visit")
        var upload = HTTPClientRequest(url: base + "/api/v1/assets?name=kazakhstan.png")
        upload.method = .POST
        upload.headers.add(name: "Authorization", value: "Bearer \(token)")
        upload.body = .bytes(ByteBuffer(bytes: try readFile("\(example)/kazakhstan.png")))
        guard try await http.execute(upload, timeout: .seconds(30)).status == .created else { throw CLIError("the flag upload failed") }
        _ = try await send(.PUT, "/api/v1/programme", try readFile("\(example)/programme.json"), headers: bearer, expect: 201)
        let programme = try await send(.GET, "/api/v1/programme", headers: bearer).body

        // Devices, each enrolled with its own key through a one-time token.
        var devices: [Device] = []
        for index in 0..<count {
            let screen = "device-\(index)"
            _ = try await send(.POST, "/api/v1/screens", json(["id": .string(screen), "name": .string(screen), "width": 192, "height": 96,
                                                               "time_zone": "Asia/Almaty", "groups": ["bench"]]), headers: bearer, expect: 201)
            let enrollment = try await send(.POST, "/api/v1/screens/\(screen)/enrollment", headers: bearer, expect: 201)
            let key = try SigningKey.generate()
            _ = try await send(.POST, "/api/v1/enroll", json(["token": .string(try field(enrollment.body, "token")),
                                                              "public_key": .object(key.publicKey.json)]), expect: 201)
            devices.append(Device(screen: screen, key: key))
        }
        let heartbeat = json(["accepted": true, "screen": "device-0", "server_time": .string(SystemWallClock().now().iso8601)])
        return BenchSeed(token: token, devices: devices, programmeResponse: programme, heartbeatResponse: heartbeat + [0x0A])
    }
}

/// Medians over the runs, and Signet's throughput as a share of the minimal server's.
struct APIBenchReport {
    let connections: Int
    let seconds: Int
    let runs: Int
    let results: [String: [HTTPLoad.Result]]

    func median(_ name: String, _ value: (HTTPLoad.Result) -> Double) -> Double { BenchResult.median(results[name]!.map(value)) }

    var rows: [(endpoint: String, key: String)] {
        [("GET /api/v1/programme (API token)", "programme"), ("POST /api/v1/devices/heartbeat (device signature)", "heartbeat")]
    }

    var text: String {
        var lines = ["signet bench api: \(connections) connections, \(runs) alternating runs of \(seconds) s, medians"]
        for (endpoint, key) in rows {
            let ours = median(key, \.perSecond), theirs = median("\(key)-anchor", \.perSecond)
            lines.append(endpoint)
            lines.append(String(format: "  Signet               %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms", ours,
                                median(key) { $0.percentile(0.5) } * 1000, median(key) { $0.percentile(0.99) } * 1000))
            lines.append(String(format: "  minimal Hummingbird  %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms", theirs,
                                median("\(key)-anchor") { $0.percentile(0.5) } * 1000, median("\(key)-anchor") { $0.percentile(0.99) } * 1000))
            lines.append(String(format: "  Signet / minimal     %8.2f of the throughput", ours / theirs))
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var object: JSONObject = ["connections": .integer(Int64(connections)), "seconds": .integer(Int64(seconds)), "runs": .integer(Int64(runs))]
        for (_, key) in rows {
            for (label, name) in [("signet", key), ("minimal", "\(key)-anchor")] {
                object["\(key)_\(label)_per_second"] = .integer(Int64(median(name, \.perSecond).rounded()))
                object["\(key)_\(label)_p99_us"] = .integer(Int64((median(name) { $0.percentile(0.99) } * 1e6).rounded()))
            }
            object["\(key)_ratio_permille"] = .integer(Int64((median(key, \.perSecond) / median("\(key)-anchor", \.perSecond) * 1000).rounded()))
        }
        return JSONWriter.pretty.string(.object(object))
    }
}
