import NIOCore
import NIOWebSocket
import SignetCore
import SignetSystem

/// Takes acknowledgements off a player's channel on its event loop, before they reach the
/// channel's async message stream: a fleet-wide command brings thousands within a second, and a
/// task wake-up for each was a large part of the fan-out's time on two cores. Every other frame
/// (heartbeats, anything malformed, fragments) goes on to the stream, which handles or refuses it.
final class ChannelAcknowledgements: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    let screen: String
    let address: String
    let queue: AcknowledgementQueue
    let clock: any WallClock

    init(screen: String, address: String, queue: AcknowledgementQueue, clock: any WallClock) {
        self.screen = screen
        self.address = address
        self.queue = queue
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.opcode == .text, frame.fin, frame.length <= ChannelMessage.maxBytes,
           case .acknowledgement(let acknowledgement)? = try? DeviceReport(bytes: frame.unmaskedData.readableBytesView) {
            queue.add(ReceivedAcknowledgement(acknowledgement: acknowledgement, screen: screen, address: address, at: clock.now()))
            return
        }
        context.fireChannelRead(data)
    }

    /// Puts the handler right after the channel's frame decoder, on the channel's event loop.
    static func install(on channel: any Channel, screen: String, address: String, queue: AcknowledgementQueue,
                        clock: any WallClock) async throws {
        try await channel.eventLoop.submit {
            try add(to: channel.pipeline.syncOperations, screen: screen, address: address, queue: queue, clock: clock)
        }.get()
    }

    static func add(to pipeline: ChannelPipeline.SynchronousOperations, screen: String, address: String, queue: AcknowledgementQueue,
                    clock: any WallClock) throws {
        let decoder = try pipeline.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
        try pipeline.addHandler(ChannelAcknowledgements(screen: screen, address: address, queue: queue, clock: clock), position: .after(decoder))
    }
}
