/// DDP (3waylabs Distributed Display Protocol) packets: a 10-byte header and up to 1440 bytes of
/// RGB data at a byte offset; the last packet of a frame carries PUSH, so receivers show whole
/// frames only.
public enum DDPPacket {
    public static let port: UInt16 = 4048
    public static let maxData = 1440
    /// Version 1.
    static let versionFlag: UInt8 = 0x40
    static let pushFlag: UInt8 = 0x01
    /// `C R TTT SSS`: RGB, 8 bits per channel.
    static let rgb8: UInt8 = 0x0B
    /// The default output device.
    static let displayID: UInt8 = 1

    /// The packets of one frame. `sequence` is 1 to 15 (0 means "not used" to receivers).
    public static func packets(for data: [UInt8], sequence: UInt8) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var offset = 0
        repeat {
            let length = min(maxData, data.count - offset)
            let last = offset + length >= data.count
            var packet: [UInt8] = [versionFlag | (last ? pushFlag : 0), sequence & 0x0F, rgb8, displayID]
            packet += bigEndian(UInt32(offset)) + bigEndian(UInt16(length))
            packet += data[offset..<offset + length]
            packets.append(packet)
            offset += length
        } while offset < data.count
        return packets
    }
}

func bigEndian(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
