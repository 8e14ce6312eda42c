/// A tlog-tiles entry bundle (c2sp.org/tlog-tiles): up to 256 entries, each after its length as
/// a big-endian 16-bit number, so an entry is at most 65,535 bytes.
public enum EntryBundle {
    public static let maxEntryBytes = 65_535

    public static func encode(_ entries: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + 2 + $1.count })
        for entry in entries {
            precondition(entry.count <= maxEntryBytes, "a log entry of \(entry.count) bytes")
            bytes += [UInt8(entry.count >> 8), UInt8(entry.count & 0xff)] + entry
        }
        return bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(LogFormatError) -> [[UInt8]] {
        var entries: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 2 <= bytes.count else { throw LogFormatError("entry bundle: a length cut short at byte \(offset)") }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard offset + 2 + length <= bytes.count else { throw LogFormatError("entry bundle: entry \(entries.count) is cut short") }
            entries.append(Array(bytes[offset + 2..<offset + 2 + length]))
            offset += 2 + length
            guard entries.count <= TilePath.width else { throw LogFormatError("entry bundle: more than 256 entries") }
        }
        return entries
    }
}
