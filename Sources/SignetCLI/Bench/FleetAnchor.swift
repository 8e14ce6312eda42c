import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import SignetCore
import SignetPlayer
import Synchronization

/// `bench fleet`'s anchor: the same fan-out with nothing behind it. A minimal Hummingbird WebSocket
/// server sends each of N connections a command document of Signet's shape and size (signed once
/// when the anchor starts, never checked) with Hummingbird's own writer, and counts the answers;
/// `signet fleet-sim --anchor` answers each with an acknowledgement after parsing it as a player
/// parses a message, but without verifying it or keeping any state. No accounts, database,
/// numbering, signing or checks: what is left is the transport on these two cores.
final class FleetAnchor: Sendable {
    private let connections = Mutex<[Int: WebSocketOutboundWriter]>([:])
    private let acknowledgements = Atomic<Int>(0)
    let messages: [String]

    init(screens: Int) throws {
        let expires = TUFTime(secondsSince1970: Int64(Date().timeIntervalSince1970) + 3_600)
        let commands = (0..<screens).map { index in
            Command(action: .blank, screen: "anchor-" + String(format: "%05d", index + 1), sequence: 1, id: Int64(index + 1), issuedBy: "anchor",
                    expires: expires)
        }
        let batch = try SignedCommandBatch(commands, key: try SigningKey.generate())
        messages = (0..<screens).map { String(decoding: ServerNotice.commandMessage(signed: batch.document(at: $0)), as: UTF8.self) }
    }

    var connected: Int { connections.withLock { $0.count } }
    var acknowledged: Int { acknowledgements.load(ordering: .relaxed) }

    func application(logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/anchor") { _, _ in .upgrade([:]) } onUpgrade: { [self] inbound, outbound, context in
            let index = Int(context.request.uri.queryParameters["i"].map(String.init) ?? "") ?? -1
            connections.withLock { $0[index] = outbound }
            for try await _ in inbound.messages(maxSize: ChannelMessage.maxBytes) { acknowledgements.add(1, ordering: .relaxed) }
            connections.withLock { $0[index] = nil }
        }
        return Application(router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: router),
                           configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onServerRunning, logger: logger)
    }

    /// Sends every connection its message, one write after another, as a plain Hummingbird server would.
    func broadcast() async {
        let writers = connections.withLock { $0 }
        for (index, outbound) in writers where messages.indices.contains(index) {
            try? await outbound.write(.text(messages[index]))
        }
    }
}

extension FleetAnchor {
    /// The anchor's clients (`fleet-sim --anchor`): N plain WebSockets that answer each command
    /// message with its acknowledgement.
    static func connectClients(url: String, screens: Int, concurrency: Int) async throws -> [DeviceSocket] {
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else { throw CLIError("--anchor needs http://HOST:PORT") }
        var sockets: [DeviceSocket] = []
        for start in stride(from: 0, to: screens, by: concurrency) {
            try await withThrowingTaskGroup(of: DeviceSocket.self) { group in
                for index in start..<min(start + concurrency, screens) {
                    group.addTask {
                        try await DeviceSocket.connect(host: host, port: port, path: "/anchor?i=\(index)", headers: []) { socket, text in
                            guard case .command(let document)? = try? ServerNotice(bytes: text.readableBytesView),
                                  let id = document.objectValue?["signed"]?.objectValue?["id"]?.integerValue else { return }
                            socket.send(DeviceReport.acknowledgement(Acknowledgement(command: id, result: .done)).encoded())
                        }
                    }
                }
                for try await socket in group { sockets.append(socket) }
            }
        }
        return sockets
    }
}
