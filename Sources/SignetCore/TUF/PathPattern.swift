/// Delegation path patterns, matched as python-tuf does: both strings are split on `/`, must have
/// the same number of segments, and each segment is matched with shell-style `fnmatch` rules
/// (`*`, `?`, `[seq]`, `[!seq]`), so `*` never crosses a `/`.
public struct PathPattern: Sendable, Equatable {
    public let pattern: String
    private let segments: [[Token]]

    /// Compiles a pattern once, so that a lookup over many delegations does not re-parse it.
    public init(_ pattern: String) {
        self.pattern = pattern
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).map { Self.tokens(Array($0.unicodeScalars)) }
    }

    public func matches(_ target: SplitPath) -> Bool {
        guard target.segments.count == segments.count else { return false }
        for (range, tokens) in zip(target.segments, segments) where !Self.fnmatch(target.scalars[range], tokens) {
            return false
        }
        return true
    }

    /// The first segment when it has no wildcards: lets a lookup skip delegations quickly.
    public var literalFirstSegment: String? {
        guard let first = segments.first else { return nil }
        var scalars = String.UnicodeScalarView()
        for token in first {
            guard case .literal(let scalar) = token else { return nil }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    public static func matches(_ targetPath: String, pattern: String) -> Bool {
        PathPattern(pattern).matches(SplitPath(targetPath))
    }

    public static func == (lhs: PathPattern, rhs: PathPattern) -> Bool { lhs.pattern.hasSameUTF8(as: rhs.pattern) }

    enum Token: Sendable {
        case literal(Unicode.Scalar)
        case any
        case star
        case set(ranges: [ClosedRange<Unicode.Scalar>], negated: Bool)

        func accepts(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .literal(let literal): literal == scalar
            case .any: true
            case .star: true
            case .set(let ranges, let negated): ranges.contains { $0.contains(scalar) } != negated
            }
        }
    }

    static func tokens(_ pattern: [Unicode.Scalar]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < pattern.count {
            let scalar = pattern[index]
            index += 1
            switch scalar {
            case "*":
                if case .star = tokens.last { continue }
                tokens.append(.star)
            case "?":
                tokens.append(.any)
            case "[":
                // Find the closing bracket; a `]` right after `[` or `[!` is a literal member.
                var end = index
                if end < pattern.count, pattern[end] == "!" { end += 1 }
                if end < pattern.count, pattern[end] == "]" { end += 1 }
                while end < pattern.count, pattern[end] != "]" { end += 1 }
                guard end < pattern.count else {
                    tokens.append(.literal("["))
                    continue
                }
                var members = Array(pattern[index..<end])
                index = end + 1
                let negated = members.first == "!"
                if negated { members.removeFirst() }
                var ranges: [ClosedRange<Unicode.Scalar>] = []
                var position = 0
                while position < members.count {
                    if position + 2 < members.count, members[position + 1] == "-" {
                        let low = members[position], high = members[position + 2]
                        if low <= high { ranges.append(low...high) }
                        position += 3
                    } else {
                        ranges.append(members[position]...members[position])
                        position += 1
                    }
                }
                tokens.append(.set(ranges: ranges, negated: negated))
            default:
                tokens.append(.literal(scalar))
            }
        }
        return tokens
    }

    /// Greedy matching with backtracking to the last star: linear in practice, no recursion.
    static func fnmatch(_ text: ArraySlice<Unicode.Scalar>, _ tokens: [Token]) -> Bool {
        var textIndex = text.startIndex, tokenIndex = 0
        var starToken: Int?, starText = text.startIndex
        while textIndex < text.endIndex {
            if tokenIndex < tokens.count, case .star = tokens[tokenIndex] {
                starToken = tokenIndex
                starText = textIndex
                tokenIndex += 1
            } else if tokenIndex < tokens.count, tokens[tokenIndex].accepts(text[textIndex]) {
                textIndex += 1
                tokenIndex += 1
            } else if let star = starToken {
                tokenIndex = star + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while tokenIndex < tokens.count, case .star = tokens[tokenIndex] { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }
}

/// A target path as Unicode scalars and the ranges of its `/`-separated segments, made once per lookup.
public struct SplitPath: Sendable {
    public let path: String
    let scalars: [Unicode.Scalar]
    let segments: [Range<Int>]

    public init(_ path: String) {
        self.path = path
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(path.utf8.count)  // one pass, one allocation
        var segments: [Range<Int>] = []
        var start = 0
        for scalar in path.unicodeScalars {
            if scalar == "/" {
                segments.append(start..<scalars.count)
                start = scalars.count + 1
            }
            scalars.append(scalar)
        }
        segments.append(start..<scalars.count)
        self.scalars = scalars
        self.segments = segments
    }
}

/// Role names and target paths as they appear in URLs and local file names: percent-encoded like
/// Python's `urllib.parse.quote(name, safe="")`, so `/`, `..` and `?` cannot escape a folder or a URL.
public enum PercentEncoding {
    public static func encode(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                 UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
