import Foundation

/// An output named on the command line or in a player's configuration:
///
///     png:PATH
///     command:SHELL-COMMAND                 raw RGB24 frames on its standard input
///     fb:PATH?format=xrgb8888|rgb565|bgr888&width=W&height=H[&stride=S]
///     ddp://HOST[:PORT][?layout=rows|serpentine]
///     sacn://HOST[:PORT][?universe=N&layout=...]     HOST "multicast" is 239.255.hi.lo of the universe
///     artnet://HOST[:PORT][?universe=N&layout=...]  universe is the 15-bit port-address
public enum OutputAddress: Sendable, Equatable {
    case png(path: String)
    case command(String)
    case framebuffer(path: String, geometry: FramebufferGeometry)
    case network(NetworkSink.Kind, host: String, port: UInt16?, universe: UInt16, layout: PanelLayout)

    public init(_ text: String) throws(OutputError) {
        func fail(_ reason: String) -> OutputError { OutputError(text, reason) }
        if text.hasPrefix("png:") {
            let path = String(text.dropFirst(4))
            guard !path.isEmpty else { throw fail("needs a path") }
            self = .png(path: path)
            return
        }
        if text.hasPrefix("command:") {
            let command = String(text.dropFirst(8))
            guard !command.isEmpty else { throw fail("needs a command") }
            self = .command(command)
            return
        }
        let (head, query) = text.split(separator: "?", maxSplits: 1).map(String.init).splitFirst()
        var options: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, options.updateValue(parts[1], forKey: parts[0]) == nil else {
                throw fail("\"\(pair)\" is not a single key=value option")
            }
        }
        func integer(_ key: String, in range: ClosedRange<Int>) throws(OutputError) -> Int? {
            guard let value = options.removeValue(forKey: key) else { return nil }
            guard let number = Int(value), range.contains(number) else { throw fail("\(key) must be an integer in \(range)") }
            return number
        }
        if head.hasPrefix("fb:") {
            let formatName = options.removeValue(forKey: "format") ?? "xrgb8888"
            guard let format = FramebufferGeometry.PixelFormat(rawValue: formatName) else {
                throw fail("format must be xrgb8888, rgb565 or bgr888")
            }
            guard let width = try integer("width", in: 1...16_384), let height = try integer("height", in: 1...16_384) else {
                throw fail("needs width and height (the device's geometry)")
            }
            let stride = try integer("stride", in: 1...262_144)
            guard options.isEmpty else { throw fail("unknown option \(options.keys.sorted().joined(separator: ", "))") }
            self = .framebuffer(path: String(head.dropFirst(3)), geometry: FramebufferGeometry(width: width, height: height, format: format, stride: stride))
            return
        }
        guard let schemeEnd = head.range(of: "://"), let kind = NetworkSink.Kind(rawValue: String(head[..<schemeEnd.lowerBound])) else {
            throw fail("not an output (png:, command:, fb:, ddp://, sacn://, artnet://)")
        }
        let authority = String(head[schemeEnd.upperBound...])
        let hostPort = authority.split(separator: ":", maxSplits: 1).map(String.init)
        var port: UInt16?
        if hostPort.count == 2 {
            guard let value = UInt16(hostPort[1]), value > 0 else { throw fail("bad port \(hostPort[1])") }
            port = value
        }
        let layoutName = options.removeValue(forKey: "layout") ?? "rows"
        guard let layout = PanelLayout(rawValue: layoutName) else { throw fail("layout must be rows or serpentine") }
        let universe = try integer("universe", in: kind == .artnet ? 0...32_767 : 1...63_999) ?? (kind == .artnet ? 0 : 1)
        guard options.isEmpty else { throw fail("unknown option \(options.keys.sorted().joined(separator: ", "))") }
        var host = hostPort.first ?? ""
        if host == "multicast" {
            guard kind == .sacn else { throw fail("only sACN has multicast groups") }
            host = E131Source.multicastAddress(universe: UInt16(universe))
        }
        guard !host.isEmpty else { throw fail("needs a host") }
        self = .network(kind, host: host, port: port, universe: UInt16(universe), layout: layout)
    }
}

private extension Array where Element == String {
    func splitFirst() -> (String, String?) { (first ?? "", count > 1 ? self[1] : nil) }
}

extension OutputAddress {
    /// Opens the output. `source` names this sender in sACN packets.
    public func open(source: E131Source) throws(OutputError) -> any FrameSink {
        switch self {
        case .png(let path): PNGFileSink(path: path)
        case .command(let command): try CommandSink(command: command)
        case .framebuffer(let path, let geometry): try FramebufferSink(path: path, geometry: geometry)
        case .network(let kind, let host, let port, let universe, let layout):
            try NetworkSink(kind, host: host, port: port, layout: layout, firstUniverse: universe, source: source)
        }
    }
}
