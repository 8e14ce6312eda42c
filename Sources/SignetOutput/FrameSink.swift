import Foundation
import SignetRender

/// Somewhere frames go: a file, a process, a framebuffer, LED controllers on the network.
/// Frames arrive as RGB24 rows at the screen's resolution, already brightness-adjusted.
public protocol FrameSink {
    var name: String { get }
    mutating func send(rgb: [UInt8], width: Int, height: Int) throws(OutputError)
    /// A rendered frame as it is; sinks that can take RGBA (PNG files) skip the RGB copy.
    mutating func send(_ canvas: Canvas) throws(OutputError)
}

extension FrameSink {
    public mutating func send(_ canvas: Canvas) throws(OutputError) {
        try send(rgb: canvas.rgb, width: canvas.width, height: canvas.height)
    }
}

/// DDP, sACN or Art-Net to one controller, with the panel's chain order.
public struct NetworkSink: FrameSink {
    public enum Kind: String, Sendable { case ddp, sacn, artnet }

    public let name: String
    let socket: UDPSocket
    let kind: Kind
    let layout: PanelLayout
    let firstUniverse: UInt16
    let source: E131Source
    var sequence: UInt8 = 0

    public init(_ kind: Kind, host: String, port: UInt16? = nil, layout: PanelLayout = .rows,
                firstUniverse: UInt16 = 1, source: E131Source) throws(OutputError) {
        let defaultPort: UInt16 = switch kind {
        case .ddp: DDPPacket.port
        case .sacn: E131Source.port
        case .artnet: ArtDmxPacket.port
        }
        let port = port ?? defaultPort
        name = "\(kind.rawValue)://\(host):\(port)"
        socket = try UDPSocket(host: host, port: port)
        self.kind = kind
        self.layout = layout
        self.firstUniverse = firstUniverse
        self.source = source
    }

    /// Every datagram of one frame, in order.
    public mutating func datagrams(rgb: [UInt8], width: Int, height: Int) -> [[UInt8]] {
        let chain = layout.chainOrder(rgb, width: width, height: height)
        switch kind {
        case .ddp:
            sequence = sequence % 15 + 1
            return DDPPacket.packets(for: chain, sequence: sequence)
        case .sacn:
            sequence &+= 1
            return DMXUniverses.split(chain).enumerated().map { index, slots in
                source.packet(universe: firstUniverse + UInt16(index), sequence: sequence, slots: slots)
            }
        case .artnet:
            sequence = sequence == 255 ? 1 : sequence + 1  // 0 disables sequencing in Art-Net
            return DMXUniverses.split(chain).enumerated().map { index, data in
                ArtDmxPacket.packet(portAddress: firstUniverse + UInt16(index), sequence: sequence, data: data)
            }
        }
    }

    public mutating func send(rgb: [UInt8], width: Int, height: Int) throws(OutputError) {
        for datagram in datagrams(rgb: rgb, width: width, height: height) { try socket.send(datagram) }
    }
}

/// Each frame as a PNG file, replaced atomically.
public struct PNGFileSink: FrameSink {
    public let name: String
    let path: String

    public init(path: String) {
        self.path = path
        name = "png:\(path)"
    }

    public mutating func send(rgb: [UInt8], width: Int, height: Int) throws(OutputError) {
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        for index in 0..<width * height {
            rgba[index * 4] = rgb[index * 3]
            rgba[index * 4 + 1] = rgb[index * 3 + 1]
            rgba[index * 4 + 2] = rgb[index * 3 + 2]
        }
        try send(Canvas(width: width, height: height, pixels: rgba))
    }

    public mutating func send(_ canvas: Canvas) throws(OutputError) {
        let png: [UInt8]
        do { png = try PNGEncoder.encode(canvas) } catch {
            throw OutputError(name, error.description)
        }
        do { try Data(png).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw OutputError(name, "cannot write: \(error.localizedDescription)")
        }
    }
}
