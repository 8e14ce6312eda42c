import SignetCore

/// RGB data cut into DMX universes of 510 channels (170 pixels), as pixel controllers expect.
public enum DMXUniverses {
    public static let channelsPerUniverse = 510

    public static func split(_ data: [UInt8]) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: data.count, by: channelsPerUniverse).map { data[$0..<min($0 + channelsPerUniverse, data.count)] }
    }
}

/// ANSI E1.31 (sACN) data packets: root, framing and DMP layers, all fields big-endian.
public struct E131Source: Sendable {
    public static let port: UInt16 = 5568
    /// A component identifier (a UUID) that stays the same for this sender.
    public let cid: [UInt8]
    /// Up to 63 bytes of UTF-8.
    public let name: String
    public let priority: UInt8

    public init(cid: [UInt8], name: String, priority: UInt8 = 100) {
        precondition(cid.count == 16)
        self.cid = cid
        self.name = name
        self.priority = min(priority, 200)
    }

    /// A screen's source: its component id stays the same across runs and players, because
    /// receivers track sources by it.
    public static func screen(_ id: String) -> E131Source {
        let cid = Hex.decode(HashAlgorithm.digest("sha256", of: Array("signet screen \(id)".utf8))!)!.prefix(16)
        return E131Source(cid: Array(cid), name: "Signet \(id)")
    }

    /// The multicast group of a universe: 239.255.hi.lo.
    public static func multicastAddress(universe: UInt16) -> String { "239.255.\(universe >> 8).\(universe & 0xFF)" }

    public func packet(universe: UInt16, sequence: UInt8, slots: ArraySlice<UInt8>) -> [UInt8] {
        precondition((1...63_999).contains(universe) && slots.count <= 512)
        let total = 126 + slots.count
        var packet: [UInt8] = []
        packet.reserveCapacity(total)
        // Root layer.
        packet += [0x00, 0x10, 0x00, 0x00] + Array("ASC-E1.17".utf8) + [0, 0, 0]
        packet += bigEndian(UInt16(0x7000 | (total - 16))) + bigEndian(UInt32(0x0000_0004)) + cid
        // Framing layer.
        packet += bigEndian(UInt16(0x7000 | (total - 38))) + bigEndian(UInt32(0x0000_0002))
        var nameBytes = Array(name.utf8.prefix(63))
        nameBytes += Array(repeating: 0, count: 64 - nameBytes.count)
        packet += nameBytes
        packet += [priority] + bigEndian(UInt16(0)) + [sequence, 0x00] + bigEndian(universe)
        // DMP layer: set property, start code 0, then the slots.
        packet += bigEndian(UInt16(0x7000 | (total - 115))) + [0x02, 0xA1] + bigEndian(UInt16(0)) + bigEndian(UInt16(1))
        packet += bigEndian(UInt16(slots.count + 1)) + [0x00]
        packet += slots
        return packet
    }
}

/// Art-Net 4 ArtDmx packets.
public enum ArtDmxPacket {
    public static let port: UInt16 = 6454

    /// `portAddress` is the 15-bit Net:SubNet:Universe address. Art-Net wants an even length of 2
    /// to 512; an odd tail is padded with a zero channel.
    public static func packet(portAddress: UInt16, sequence: UInt8, data: ArraySlice<UInt8>) -> [UInt8] {
        precondition(portAddress < 0x8000 && data.count <= 512)
        var channels = Array(data)
        if channels.count % 2 == 1 || channels.isEmpty { channels.append(0) }
        if channels.count < 2 { channels.append(0) }
        var packet = Array("Art-Net".utf8) + [0]
        packet += [0x00, 0x50]  // OpDmx, little-endian
        packet += [0, 14]  // protocol version 14, big-endian
        packet += [sequence, 0, UInt8(portAddress & 0xFF), UInt8(portAddress >> 8)]
        packet += bigEndian(UInt16(channels.count)) + channels
        return packet
    }
}
