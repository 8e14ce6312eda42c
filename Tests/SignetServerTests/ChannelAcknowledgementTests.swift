import NIOCore
import NIOEmbedded
import NIOWebSocket
import SignetCore
import SignetSystem
import Testing

@testable import SignetServer

@Suite("Acknowledgements are taken off a device's channel on its event loop; every other frame goes on")
struct ChannelAcknowledgementTests {
    /// A text frame as a client sends it: masked.
    func clientFrame(_ bytes: [UInt8], fin: Bool = true) -> ByteBuffer {
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        var buffer = ByteBuffer(bytes: [fin ? 0x81 : 0x01])
        if bytes.count < 126 {
            buffer.writeInteger(UInt8(0x80 | bytes.count))
        } else {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(bytes.count))
        }
        buffer.writeBytes(mask)
        buffer.writeBytes(bytes.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        return buffer
    }

    @Test func acknowledgementsAreQueuedAndNothingElse() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder()))
        let queue = AcknowledgementQueue()
        try ChannelAcknowledgements.add(to: channel.pipeline.syncOperations, screen: "astana-1", address: "10.0.0.7", queue: queue,
                                        clock: MovableClock())

        let done = DeviceReport.acknowledgement(Acknowledgement(command: 7, result: .done)).encoded()
        let refused = DeviceReport.acknowledgement(Acknowledgement(command: 8, result: .refused("command refused: it expired"))).encoded()
        try channel.writeInbound(clientFrame(done))
        try channel.writeInbound(clientFrame(refused))
        let queued = queue.take()
        #expect(queued.map(\.acknowledgement.command) == [7, 8])
        #expect(queued.allSatisfy { $0.screen == "astana-1" && $0.address == "10.0.0.7" })
        #expect(queued.last?.acknowledgement.summary == "refused: command refused: it expired")
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)

        // A heartbeat, a malformed acknowledgement and a fragment go on to the channel's stream,
        // which handles or refuses them; none is queued.
        let heartbeat = DeviceReport.heartbeat(Heartbeat(release: 1, slide: "welcome", mode: "programme", uptimeSeconds: 5)).encoded()
        for bytes in [heartbeat, Array(#"{"id":-1,"result":"done","type":"ack"}"#.utf8)] {
            try channel.writeInbound(clientFrame(bytes))
            let passed = try #require(try channel.readInbound(as: WebSocketFrame.self))
            #expect(Array(passed.unmaskedData.readableBytesView) == bytes)
        }
        try channel.writeInbound(clientFrame(done, fin: false))
        #expect(try channel.readInbound(as: WebSocketFrame.self)?.fin == false)
        #expect(queue.take().isEmpty)
        _ = try channel.finish()
    }
}
