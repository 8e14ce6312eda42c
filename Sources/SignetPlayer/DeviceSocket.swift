import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A player's end of its channel: one outbound WebSocket, opened with a signed request. Plain
/// SwiftNIO (no task per message): a fleet simulator runs thousands of these in one process, and
/// each text message is handed to `onText` on the connection's event loop.
public struct DeviceSocket: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case refused(String)

        public var description: String {
            switch self {
            case .refused(let path): "the server did not open the channel at \(path) (see the next poll's answer for why)"
            }
        }
    }

    let channel: any Channel

    /// Connects and upgrades; `onText` receives each text message (the socket, to reply on).
    public static func connect(host: String, port: Int, path: String, headers: [(name: String, value: String)],
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                               onText: @escaping @Sendable (DeviceSocket, ByteBuffer) -> Void) async throws -> DeviceSocket {
        enum Upgrade: Sendable { case socket(any Channel), refused }
        let upgraded: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 20) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(FrameHandler(onText: onText))
                            return .socket(channel)
                        }
                    }
                    var fields = HTTPHeaders([("Host", "\(host):\(port)"), ("Content-Length", "0")])
                    for header in headers { fields.add(name: header.name, value: header.value) }
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: fields)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(.refused) })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        switch try await upgraded.get() {
        case .socket(let channel):
            return DeviceSocket(channel: channel)
        case .refused:
            throw Failure.refused(path)
        }
    }

    /// Sends one text message (masked, as a client must).
    public func send(_ bytes: [UInt8]) {
        let channel = self.channel
        channel.eventLoop.execute {
            let buffer = channel.allocator.buffer(bytes: bytes)
            let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
            channel.writeAndFlush(frame, promise: nil)
        }
    }

    public func close() {
        channel.close(promise: nil)
    }

    /// Completes when the connection is gone, whichever side ended it.
    public func closed() async {
        try? await channel.closeFuture.get()
    }
}

/// Text messages to the callback; pings answered; a close frame answered and the socket closed.
private final class FrameHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let onText: @Sendable (DeviceSocket, ByteBuffer) -> Void
    private var message: ByteBuffer?

    init(onText: @escaping @Sendable (DeviceSocket, ByteBuffer) -> Void) { self.onText = onText }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if frame.fin { onText(DeviceSocket(channel: context.channel), frame.unmaskedData) } else { message = frame.unmaskedData }
        case .continuation:
            guard var partial = message else { return context.close(promise: nil) }
            var data = frame.unmaskedData
            partial.writeBuffer(&data)
            guard partial.readableBytes <= 1 << 20 else { return context.close(promise: nil) }
            if frame.fin {
                message = nil
                onText(DeviceSocket(channel: context.channel), partial)
            } else {
                message = partial
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(Self.wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
