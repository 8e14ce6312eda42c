import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The repository mirror the drill's player reads its releases from (a CDN, say): a copy of the
/// server's `/repository/` that an attacker controls. It passes files through from the origin,
/// except those the attack puts in their place. Nothing from it is trusted by the player before
/// it verifies.
final class DrillMirror: Sendable {
    /// The origin server's port, once it listens.
    let origin: ListeningPort
    private let overrides = Mutex<[String: [UInt8]]>([:])

    init(origin: ListeningPort) { self.origin = origin }

    /// Serve these files (paths such as `metadata/timestamp.json`) instead of the origin's.
    func override(_ files: [String: [UInt8]]) { overrides.withLock { $0 = files } }

    func passThrough() { override([:]) }

    func application(logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("**") { [self] request, _ -> Response in
            let path = String(request.uri.path.drop { $0 == "/" })
            guard path.hasPrefix("metadata/") || path.hasPrefix("targets/"), !path.contains("..") else { return Response(status: .notFound) }
            if let bytes = overrides.withLock({ $0[path] }) { return Self.response(.ok, bytes) }
            let url = "http://127.0.0.1:\(await origin.port())/repository/\(path)"
            let answer = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await answer.body.collect(upTo: 64 << 20)
            return Self.response(HTTPResponse.Status(code: Int(answer.status.code)), Array(body.readableBytesView))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: onServerRunning, logger: logger)
    }

    static func response(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
