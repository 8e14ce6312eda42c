import Testing

@testable import SignetOutput

@Suite("DDP, sACN and Art-Net packets, byte for byte from their specifications")
struct PacketTests {
    @Test func serpentineReversesEveryOtherRow() {
        // 3 x 2 pixels, each pixel's red is its row-major index.
        let frame: [UInt8] = (0..<6).flatMap { [UInt8($0), 0, 0] }
        #expect(PanelLayout.rows.chainOrder(frame, width: 3, height: 2) == frame)
        #expect(PanelLayout.serpentine.chainOrder(frame, width: 3, height: 2).enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
                == [0, 1, 2, 5, 4, 3])
    }

    @Test func ddpSplitsAtFourteenFortyBytesAndPushesTheLast() {
        let data = (0..<3000).map { UInt8($0 % 251) }
        let packets = DDPPacket.packets(for: data, sequence: 7)
        #expect(packets.count == 3)
        #expect(packets[0].prefix(10).elementsEqual([0x40, 0x07, 0x0B, 0x01, 0, 0, 0, 0, 0x05, 0xA0]))
        #expect(packets[1].prefix(10).elementsEqual([0x40, 0x07, 0x0B, 0x01, 0, 0, 0x05, 0xA0, 0x05, 0xA0]))
        #expect(packets[2].prefix(10).elementsEqual([0x41, 0x07, 0x0B, 0x01, 0, 0, 0x0B, 0x40, 0x00, 0x78]))
        #expect(Array(packets.map { $0.dropFirst(10) }.joined()) == data)
    }

    @Test func e131DataPacketLayout() {
        let cid = (1...16).map { UInt8($0) }
        let source = E131Source(cid: cid, name: "Signet astana-1", priority: 100)
        let slots = (0..<510).map { UInt8($0 % 256) }
        let packet = source.packet(universe: 0x0102, sequence: 9, slots: slots[...])
        #expect(packet.count == 636)
        #expect(packet[0..<16].elementsEqual([0x00, 0x10, 0x00, 0x00] + Array("ASC-E1.17".utf8) + [0, 0, 0]))
        #expect(packet[16..<18].elementsEqual([0x72, 0x6C]))  // 0x7000 | (636 - 16)
        #expect(packet[18..<22].elementsEqual([0, 0, 0, 4]))
        #expect(packet[22..<38].elementsEqual(cid))
        #expect(packet[38..<40].elementsEqual([0x72, 0x56]))  // 0x7000 | (636 - 38)
        #expect(packet[40..<44].elementsEqual([0, 0, 0, 2]))
        #expect(packet[44..<59].elementsEqual(Array("Signet astana-1".utf8)) && packet[59..<108].allSatisfy { $0 == 0 })
        #expect(packet[108] == 100)  // priority
        #expect(packet[109..<111].elementsEqual([0, 0]))  // no synchronisation universe
        #expect(packet[111] == 9 && packet[112] == 0)  // sequence, options
        #expect(packet[113..<115].elementsEqual([0x01, 0x02]))  // universe
        #expect(packet[115..<117].elementsEqual([0x72, 0x09]))  // 0x7000 | (636 - 115)
        #expect(packet[117..<125].elementsEqual([0x02, 0xA1, 0, 0, 0, 1, 0x01, 0xFF]))  // 511 property values
        #expect(packet[125] == 0)  // DMX start code
        #expect(packet[126...].elementsEqual(slots))
        #expect(E131Source.multicastAddress(universe: 0x0102) == "239.255.1.2")
    }

    @Test func artDmxLayout() {
        let packet = ArtDmxPacket.packet(portAddress: 0x0123, sequence: 5, data: [1, 2, 3][...])
        #expect(packet == Array("Art-Net".utf8) + [0, 0x00, 0x50, 0, 14, 5, 0, 0x23, 0x01, 0, 4, 1, 2, 3, 0])
    }

    @Test func framesSplitIntoUniversesOf170Pixels() throws {
        var sink = try NetworkSink(.sacn, host: "127.0.0.1", port: 9, firstUniverse: 3,
                                   source: E131Source(cid: Array(repeating: 0, count: 16), name: "t"))
        let frame = [UInt8](repeating: 7, count: 20 * 20 * 3)  // 1200 channels: 510 + 510 + 180
        let datagrams = sink.datagrams(rgb: frame, width: 20, height: 20)
        #expect(datagrams.map(\.count) == [636, 636, 306])
        #expect(datagrams.map { Int($0[113]) << 8 | Int($0[114]) } == [3, 4, 5])
        #expect(datagrams.allSatisfy { $0[111] == 1 })
        #expect(sink.datagrams(rgb: frame, width: 20, height: 20).allSatisfy { $0[111] == 2 })
        var artnet = try NetworkSink(.artnet, host: "127.0.0.1", port: 9, firstUniverse: 0,
                                     source: E131Source(cid: Array(repeating: 0, count: 16), name: "t"))
        #expect(artnet.datagrams(rgb: frame, width: 20, height: 20).map { Int($0[14]) | Int($0[15]) << 8 } == [0, 1, 2])
    }

    @Test func outputAddressesParseStrictly() throws {
        #expect(try OutputAddress("sacn://multicast?universe=258") == .network(.sacn, host: "239.255.1.2", port: nil, universe: 258, layout: .rows))
        #expect(try OutputAddress("ddp://10.0.0.7:4049?layout=serpentine") == .network(.ddp, host: "10.0.0.7", port: 4049, universe: 1, layout: .serpentine))
        #expect(try OutputAddress("fb:/dev/fb0?format=rgb565&width=64&height=32")
                == .framebuffer(path: "/dev/fb0", geometry: FramebufferGeometry(width: 64, height: 32, format: .rgb565)))
        #expect(try OutputAddress("command:ffmpeg -f rawvideo -") == .command("ffmpeg -f rawvideo -"))
        for bad in ["http://x", "sacn://h?universe=0", "artnet://h?universe=40000", "ddp://h:0", "fb:/dev/fb0",
                    "sacn://h?colour=red", "artnet://multicast", "png:", "ddp://h?layout=spiral", "sacn://h?universe=1&universe=2"] {
            #expect(throws: OutputError.self, "\(bad)") { try OutputAddress(bad) }
        }
    }

    @Test func pacingKeepsTimeAndSkipsWhenLate() {
        var pacer = FramePacer(framesPerSecond: 20)
        #expect(pacer.nextDue(elapsed: .milliseconds(3)) == .milliseconds(50))
        #expect(pacer.nextDue(elapsed: .milliseconds(60)) == .milliseconds(100))
        // 230 ms in: frames due at 150 and 200 ms were missed; the next is at 250 ms.
        #expect(pacer.nextDue(elapsed: .milliseconds(230)) == .milliseconds(250))
        #expect(pacer.skipped == 2)
    }
}
