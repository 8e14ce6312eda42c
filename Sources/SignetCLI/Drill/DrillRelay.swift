import Foundation
import Synchronization

/// A man in the middle between the player and its server, on loopback: it passes every byte both
/// ways, and on a WebSocket (the player's channel) it reads the server's frames whole, so that it
/// can keep a copy of a command it saw and later slip that copy back in between two frames. The
/// drill's replay attack: the exact bytes the commands key signed, sent again.
final class DrillRelay: Sendable {
    struct State {
        var captured: [String: [UInt8]] = [:]
        /// Frames to slip into each open channel, by connection.
        var inject: [Int: [[UInt8]]] = [:]
        var channels: Set<Int> = []
        var nextID = 0
    }

    let port: Int
    private let listener: Int32
    private let upstream: Int
    private let state = Mutex(State())

    init(upstreamPort: Int) throws {
        upstream = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw CLIError("the relay cannot listen: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "drill-relay"
        thread.start()
    }

    /// The newest command message the server sent whose text contains `marker`, as seen on the wire.
    func captured(_ marker: String) -> [UInt8]? { state.withLock { $0.captured[marker] } }

    /// Sends `message` to every open channel as if the server had sent it; how many got it.
    @discardableResult
    func replay(_ message: [UInt8]) -> Int {
        state.withLock { state in
            for id in state.channels { state.inject[id, default: []].append(message) }
            return state.channels.count
        }
    }

    /// Which server messages to keep a copy of.
    static let markers = [#""action":"blank""#]

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { if errno == EINTR { continue } else { return } }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstream)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { close(client); close(server); continue }
            let id = state.withLock { state -> Int in
                state.nextID += 1
                return state.nextID
            }
            // Each direction ends by shutting its side down; the second to end closes both.
            let ended = Mutex(0)
            let finish: @Sendable () -> Void = {
                if ended.withLock({ $0 += 1; return $0 }) == 2 { close(client); close(server) }
            }
            Thread { Self.pump(from: client, to: server); finish() }.start()
            Thread { [self] in serverToPlayer(server, client, id: id); finish() }.start()
        }
    }

    private static func pump(from source: Int32, to target: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            guard count > 0, writeAll(target, Array(buffer[0..<count])) else { break }
        }
        shutdown(target, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
    }

    /// Passes the server's bytes on; once the answer is an upgrade to WebSocket, frame by frame,
    /// copying marked commands and slipping in injected frames between whole frames.
    private func serverToPlayer(_ server: Int32, _ client: Int32, id: Int) {
        var buffer: [UInt8] = []
        var upgraded = false
        var chunk = [UInt8](repeating: 0, count: 65_536)
        defer {
            state.withLock { state in
                state.channels.remove(id)
                state.inject[id] = nil
            }
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
        }
        // Wakes at least every 50 ms, so that an injected frame does not wait for server traffic.
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while true {
            if upgraded {
                let pending = state.withLock { state -> [[UInt8]] in
                    defer { state.inject[id] = [] }
                    return state.inject[id] ?? []
                }
                for message in pending where !writeAll(client, Self.textFrame(message)) { return }
            }
            let count = chunk.withUnsafeMutableBytes { read(server, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            guard count > 0 else { return }
            buffer += chunk[0..<count]
            if !upgraded {
                guard let end = Self.headerEnd(buffer) else { continue }
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                if head.hasPrefix("HTTP/1.1 101") {
                    upgraded = true
                    state.withLock { _ = $0.channels.insert(id) }
                    guard writeAll(client, Array(buffer[0..<end])) else { return }
                    buffer.removeFirst(end)
                } else {
                    // Plain HTTP: no frames to find; pass everything from here on.
                    guard writeAll(client, buffer) else { return }
                    buffer = []
                    Self.pump(from: server, to: client)
                    return
                }
            }
            while let length = Self.frameLength(buffer) {
                let frame = Array(buffer[0..<length])
                buffer.removeFirst(length)
                let text = String(decoding: frame, as: UTF8.self)
                for marker in Self.markers where text.contains(marker) {
                    let payload = Array(frame[(length - Self.payloadLength(frame))...])
                    state.withLock { $0.captured[marker] = payload }
                }
                guard writeAll(client, frame) else { return }
            }
        }
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index - 3] == 13 && bytes[index - 2] == 10 && bytes[index - 1] == 13 && bytes[index] == 10 {
            return index + 1
        }
        return nil
    }

    /// The whole length of the first frame if all of it is there (RFC 6455 section 5.2).
    static func frameLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let masked = bytes[1] & 0x80 != 0
        var length = Int(bytes[1] & 0x7F), header = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            header = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(bytes[$1]) }
            header = 10
        }
        let total = header + (masked ? 4 : 0) + length
        return bytes.count >= total ? total : nil
    }

    static func payloadLength(_ frame: [UInt8]) -> Int {
        let length = Int(frame[1] & 0x7F)
        if length == 126 { return Int(frame[2]) << 8 | Int(frame[3]) }
        if length == 127 { return (2..<10).reduce(0) { $0 << 8 | Int(frame[$1]) } }
        return length
    }

    /// An unmasked text frame, as a server sends.
    static func textFrame(_ payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(UInt8(payload.count))
        } else if payload.count < 65_536 {
            frame += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(127)
            frame += (0..<8).reversed().map { UInt8(payload.count >> ($0 * 8) & 0xFF) }
        }
        return frame + payload
    }
}

func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0, errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}
