import HummingbirdWebSocket
import Logging
import NIOWebSocket
import SignetCore

/// The players' open channels, one per screen: how commands and release notices reach a screen
/// within a second. A screen that is not connected picks its commands up when it reconnects or
/// polls, so a failed send loses nothing.
actor DeviceHub {
    struct Connection: Sendable {
        let id: Int
        let outbound: WebSocketOutboundWriter
    }

    private var connections: [String: Connection] = [:]
    private var nextID = 0

    /// Registers a screen's new channel; an older channel of the same screen is closed (a
    /// re-enrolled or restarted player replaces its predecessor).
    func attach(screen: String, outbound: WebSocketOutboundWriter) -> Int {
        nextID += 1
        let previous = connections[screen]
        connections[screen] = Connection(id: nextID, outbound: outbound)
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

    func isConnected(_ screen: String) -> Bool { connections[screen] != nil }

    func writers(for screens: [String]) -> [(screen: String, outbound: WebSocketOutboundWriter)] {
        screens.compactMap { screen in connections[screen].map { (screen, $0.outbound) } }
    }

    func allWriters() -> [WebSocketOutboundWriter] { connections.values.map(\.outbound) }
}

extension DeviceHub {
    /// Sends each screen its message. The writes happen outside the actor, so a slow socket holds
    /// up no registration. Returns the screens that were connected.
    @discardableResult
    nonisolated func deliver(_ messages: [String: [UInt8]]) async -> Set<String> {
        let targets = await writers(for: Array(messages.keys))
        for (screen, outbound) in targets {
            try? await outbound.write(.text(String(decoding: messages[screen]!, as: UTF8.self)))
        }
        return Set(targets.map(\.screen))
    }

    nonisolated func broadcast(_ notice: ServerNotice) async {
        let text = String(decoding: notice.encoded(), as: UTF8.self)
        for outbound in await allWriters() { try? await outbound.write(.text(text)) }
    }
}
