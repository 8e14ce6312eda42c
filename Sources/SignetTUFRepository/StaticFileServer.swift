import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SignetCore
import SignetTUFClient

/// Serves a folder read-only over HTTP/1.1 (GET and HEAD, keep-alive): a TUF repository needs
/// nothing more, because clients verify every byte. Paths with `..`, empty or hidden segments are
/// refused. The Signet server will take this over; until then `signet repo serve` uses it.
public final class StaticFileServer: Sendable {
    public let root: String
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    public var port: Int { channel.localAddress?.port ?? 0 }

    public init(root: String, host: String = "127.0.0.1", port: Int = 0, threads: Int = 1) async throws {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.group = group
        let folder = self.root
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FileRequestHandler(root: folder))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Runs until the channel closes (for a command that serves until interrupted).
    public func waitUntilClosed() async throws { try await channel.closeFuture.get() }

    public func stop() async throws {
        try await channel.close().get()
        try await group.shutdownGracefully()
    }
}

/// Maps a URL path to a file under `root`, or nil when the path is not acceptable.
func filePath(forURI uri: String, root: String) -> String? {
    let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
    guard path.hasPrefix("/") else { return nil }
    var segments: [String] = []
    for raw in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
        guard let segment = String(raw).removingPercentEncoding, !segment.isEmpty, !segment.hasPrefix("."),
              !segment.contains("/"), !segment.contains("\0")
        else { return nil }
        segments.append(segment)
    }
    return ([root] + segments).joined(separator: "/")
}

private final class FileRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let root: String
    private var head: HTTPRequestHead?

    init(root: String) { self.root = root }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var status = HTTPResponseStatus.ok
        var body: [UInt8] = []
        if request.method != .GET && request.method != .HEAD {
            status = .methodNotAllowed
        } else if let path = filePath(forURI: request.uri, root: root),
                  let bytes = try? AtomicFile.read(path, maxBytes: 512 * 1024 * 1024) {
            body = bytes
        } else {
            status = .notFound
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        let keepAlive = request.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                      promise: nil)
        if request.method != .HEAD, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}
