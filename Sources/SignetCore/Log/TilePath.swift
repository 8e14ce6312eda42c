import Foundation

/// Where a tlog-tiles log keeps its tiles (c2sp.org/tlog-tiles): `tile/L/N[.p/W]` for hash tiles
/// and `tile/entries/N[.p/W]` for entry bundles; N in groups of three digits, all but the last
/// prefixed with `x`.
public enum TilePath {
    public static let width = 256

    public static func hashes(level: Int, index: Int64, width: Int = TilePath.width) -> String {
        "tile/\(level)/" + encode(index) + partial(width)
    }

    public static func entries(index: Int64, width: Int = TilePath.width) -> String {
        "tile/entries/" + encode(index) + partial(width)
    }

    /// A tile as a path names it.
    public enum Tile: Sendable, Equatable {
        case hashes(level: Int, index: Int64, width: Int)
        case entries(index: Int64, width: Int)
    }

    /// Reads `tile/L/N[.p/W]` or `tile/entries/N[.p/W]` (without a prefix); only the one way of
    /// writing each tile is accepted, so that a cache or mirror never holds two names for it.
    public static func parse(_ path: String) throws(LogFormatError) -> Tile {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "tile" else { throw LogFormatError("tile path: tile/L/N or tile/entries/N") }
        var width = TilePath.width
        if parts.count >= 4, parts[parts.count - 2].hasSuffix(".p") {
            guard let partial = Int(parts.removeLast()), (1..<TilePath.width).contains(partial) else {
                throw LogFormatError("tile path: a partial tile's width is 1 to 255")
            }
            width = partial
            parts[parts.count - 1].removeLast(2)
        }
        let groups = parts.dropFirst(2)
        var index: Int64 = 0
        for (position, group) in groups.enumerated() {
            let isLast = position == groups.count - 1
            let digits = isLast ? Substring(group) : (group.hasPrefix("x") ? group.dropFirst() : "")
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), index <= Int64.max / 1000 else {
                throw LogFormatError("tile path: the index in groups of three digits, all but the last after an x")
            }
            index = index * 1000 + Int64(digits)!
        }
        let tile: Tile
        if parts[1] == "entries" {
            tile = .entries(index: index, width: width)
        } else {
            guard let level = Int(parts[1]), (0...63).contains(level), String(level) == parts[1] else { throw LogFormatError("tile path: a level 0 to 63") }
            tile = .hashes(level: level, index: index, width: width)
        }
        let canonical = switch tile {
        case .hashes(let level, let index, let width): hashes(level: level, index: index, width: width)
        case .entries(let index, let width): entries(index: index, width: width)
        }
        guard canonical == path else { throw LogFormatError("tile path: \(path) is not written as \(canonical)") }
        return tile
    }

    static func partial(_ width: Int) -> String { width == TilePath.width ? "" : ".p/\(width)" }

    static func encode(_ index: Int64) -> String {
        var groups = [String(format: "%03lld", index % 1000)]
        var rest = index / 1000
        while rest > 0 {
            groups.insert(String(format: "x%03lld", rest % 1000), at: 0)
            rest /= 1000
        }
        return groups.joined(separator: "/")
    }
}
