import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import SignetCore

/// The players' open channels, one per screen: how commands and release notices reach a screen
/// within a second. A screen that is not connected picks its commands up when it reconnects or
/// polls, so a failed send loses nothing.
actor DeviceHub {
    struct Connection: Sendable {
        let id: Int
        let outbound: WebSocketOutboundWriter
        let channel: any Channel
    }

    private var connections: [String: Connection] = [:]
    private var nextID = 0

    /// Registers a screen's new channel; an older channel of the same screen is closed (a
    /// re-enrolled or restarted player replaces its predecessor).
    func attach(screen: String, outbound: WebSocketOutboundWriter, channel: any Channel) -> Int {
        nextID += 1
        let previous = connections[screen]
        connections[screen] = Connection(id: nextID, outbound: outbound, channel: channel)
        if let previous { Task { try? await previous.outbound.close(.policyViolation, reason: "replaced by a newer connection") } }
        return nextID
    }

    /// Closes the screen's channel: its device was enrolled again, and the old key's connection
    /// must not outlive the key.
    func disconnect(screen: String) {
        guard let connection = connections.removeValue(forKey: screen) else { return }
        Task { try? await connection.outbound.close(.policyViolation, reason: "the screen was enrolled again") }
    }

    func detach(screen: String, id: Int) {
        if connections[screen]?.id == id { connections[screen] = nil }
    }

    var connectedScreens: Int { connections.count }

    func connectedScreenSet() -> Set<String> { Set(connections.keys) }

    func isConnected(_ screen: String) -> Bool { connections[screen] != nil }

    func channels(for screens: some Sequence<String>) -> [(screen: String, channel: any Channel)] {
        screens.compactMap { screen in connections[screen].map { (screen, $0.channel) } }
    }

    func allChannels() -> [any Channel] { connections.values.map(\.channel) }
}

extension DeviceHub {
    /// Sends each screen its message, as text frames written straight to the connections on
    /// their event loops (one task per loop, not an async write per screen: at 10,000 screens the
    /// difference is a large part of a fan-out). Returns the screens that were connected.
    @discardableResult
    nonisolated func deliver(_ messages: [String: [UInt8]]) async -> Set<String> {
        let targets = await channels(for: messages.keys)
        Self.write(targets.map { ($0.channel, messages[$0.screen]!) })
        return Set(targets.map(\.screen))
    }

    nonisolated func broadcast(_ notice: ServerNotice) async {
        let bytes = notice.encoded()
        Self.write(await allChannels().map { ($0, bytes) })
    }

    static func write(_ messages: [(channel: any Channel, bytes: [UInt8])]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, messages: [(channel: any Channel, bytes: [UInt8])])] = [:]
        for message in messages {
            let loop = message.channel.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].messages.append(message)
        }
        for (loop, messages) in byLoop.values {
            loop.execute {
                for (channel, bytes) in messages {
                    let frame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(bytes: bytes))
                    channel.writeAndFlush(frame, promise: nil)
                }
            }
        }
    }
}
