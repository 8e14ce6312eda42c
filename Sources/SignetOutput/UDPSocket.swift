#if canImport(Glibc)
import Glibc
#endif

/// A connected IPv4 UDP socket for sending datagrams. The descriptor never changes after `init`,
/// and sends are thread-safe, so the socket can be shared.
public final class UDPSocket: Sendable {
    let descriptor: Int32
    public let host: String
    public let port: UInt16

    public init(host: String, port: UInt16) throws(OutputError) {
        self.host = host
        self.port = port
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw OutputError("\(host):\(port)", "not an IPv4 address")
        }
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw OutputError("\(host):\(port)", "cannot open a UDP socket (errno \(errno))") }
        // Multicast stays on the local network segment.
        var ttl: UInt8 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_TTL, &ttl, socklen_t(MemoryLayout<UInt8>.size))
        var bufferSize: Int32 = 4 * 1024 * 1024
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw OutputError("\(host):\(port)", "cannot connect (errno \(errno))")
        }
    }

    deinit { close(descriptor) }

    public func send(_ datagram: [UInt8]) throws(OutputError) {
        while true {
            let sent = datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            if sent == datagram.count { return }
            if sent < 0, errno == EINTR { continue }
            // ECONNREFUSED reports an ICMP "port unreachable" for an earlier datagram (nobody was
            // listening then) and sends nothing: send this one again.
            if sent < 0, errno == ECONNREFUSED { continue }
            if sent < 0, errno == ENOBUFS || errno == EAGAIN {
                usleep(200)
                continue
            }
            throw OutputError("\(host):\(port)", "send failed (errno \(errno))")
        }
    }
}
