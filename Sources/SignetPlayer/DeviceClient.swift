import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SignetCore
import SignetSystem
import SignetTUFClient

/// A player's signed requests to its server. The server accepts each device's request times only
/// in increasing order, so requests go one at a time, each signed just before it is sent, with a
/// time strictly after the last even when the clock stands still.
public actor DeviceClient {
    public let identity: DeviceIdentity
    let http: HTTPClient
    let clock: any WallClock
    private var lastTime: Int64 = 0
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public struct Refused: Error, Equatable, CustomStringConvertible {
        public let status: Int
        public let message: String

        public init(status: Int, message: String) {
            self.status = status
            self.message = message
        }

        public var description: String { "the server answered \(status): \(message)" }
    }

    public init(identity: DeviceIdentity, http: HTTPClient = .shared, clock: any WallClock = SystemWallClock()) {
        self.identity = identity
        self.http = http
        self.clock = clock
    }

    /// The headers that sign a request of `method` to `path` with `body`.
    public func signedHeaders(method: String, path: String, body: [UInt8] = []) throws -> [(name: String, value: String)] {
        let time = max(clock.now().millisecondsSince1970, lastTime + 1)
        lastTime = time
        return try DeviceSignature.headers(key: identity.key, method: method, path: path, screen: identity.screen, time: time, body: body)
    }

    /// Runs `body` when no other request is in flight.
    func oneAtATime<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        if busy { await withCheckedContinuation { waiting.append($0) } } else { busy = true }
        defer { if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() } }
        return try await body()
    }

    /// Opens the channel with a signed upgrade request.
    public func openChannel(host: String, port: Int, onText: @escaping @Sendable (DeviceSocket, ByteBuffer) -> Void) async throws -> DeviceSocket {
        let path = "/api/v1/devices/channel"
        return try await oneAtATime {
            try await DeviceSocket.connect(host: host, port: port, path: path, headers: try signedHeaders(method: "GET", path: path), onText: onText)
        }
    }

    func send(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONObject {
        try await oneAtATime {
            try await unqueuedSend(method, path, body: body.map { JSONWriter.compact.encode($0) }, contentType: "application/json")
        }
    }

    private func unqueuedSend(_ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String) async throws -> JSONObject {
        let bytes = body ?? []
        var request = HTTPClientRequest(url: identity.server + path)
        request.method = method
        for header in try signedHeaders(method: method.rawValue, path: path, body: bytes) { request.headers.add(name: header.name, value: header.value) }
        if body != nil {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let answer = Array(try await response.body.collect(upTo: 4 << 20).readableBytesView)
        let object = (try? JSONParser(maxBytes: 4 << 20).parse(answer))?.objectValue
        guard (200..<300).contains(Int(response.status.code)), let object else {
            throw Refused(status: Int(response.status.code),
                          message: object?["error"]?.stringValue ?? String(decoding: answer.prefix(200), as: UTF8.self))
        }
        return object
    }

    /// The transparency log's newest checkpoint (a signed note; anyone may read it).
    public func logCheckpoint() async throws -> String {
        let response = try await http.execute(HTTPClientRequest(url: identity.server + "/log/checkpoint"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 10)
        guard response.status.code == 200 else { throw Refused(status: Int(response.status.code), message: String(buffer: body)) }
        return String(buffer: body)
    }

    /// The log's consistency proof from `first` to `second` entries.
    public func logConsistency(from first: Int64, to second: Int64) async throws -> [[UInt8]] {
        let response = try await http.execute(HTTPClientRequest(url: identity.server + "/api/v1/log/consistency?from=\(first)&to=\(second)"),
                                              timeout: .seconds(30))
        let body = Array(try await response.body.collect(upTo: 64 << 10).readableBytesView)
        guard response.status.code == 200 else { throw Refused(status: Int(response.status.code), message: String(decoding: body.prefix(200), as: UTF8.self)) }
        return try CheckpointWitness.proof(json: body)
    }

    public func heartbeat(_ heartbeat: Heartbeat) async throws {
        _ = try await send(.POST, "/api/v1/devices/heartbeat", body: .object(heartbeat.jsonObject()))
    }

    public func alert(_ alert: DeviceAlert) async throws {
        _ = try await send(.POST, "/api/v1/devices/alert", body: .object(alert.jsonObject()))
    }

    /// The commands waiting for this screen, each as its signed document's bytes.
    public func pendingCommands() async throws -> [[UInt8]] {
        let answer = try await send(.GET, "/api/v1/devices/commands")
        return (answer["commands"]?.arrayValue ?? []).map { JSONWriter.compact.encode($0) }
    }

    /// A PNG thumbnail of what the screen shows (after a screenshot command).
    public func sendThumbnail(_ png: [UInt8]) async throws {
        _ = try await oneAtATime { try await unqueuedSend(.POST, "/api/v1/devices/thumbnail", body: png, contentType: "image/png") }
    }

    /// Sends proofs of play; the server's answer is the last record of this device's chain it holds.
    public func sendPlays(_ records: [PlayRecord]) async throws -> Int64 {
        let batch = try PlayBatch.sign(records, screen: identity.screen, key: identity.key)
        let answer = try await oneAtATime { try await unqueuedSend(.POST, "/api/v1/devices/plays", body: batch, contentType: "application/json") }
        guard let through = answer["through"]?.integerValue else { throw Refused(status: 200, message: "the answer names no record (through)") }
        return through
    }

    public func acknowledge(_ acknowledgement: Acknowledgement) async throws {
        _ = try await send(.POST, "/api/v1/devices/commands/\(acknowledgement.command)/ack", body: .object(acknowledgement.jsonObject()))
    }
}
