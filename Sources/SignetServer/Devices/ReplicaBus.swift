import Foundation
import Logging
import ServiceLifecycle
import SignetCore

/// Keeps server replicas that share a PostgreSQL database in step: `announce` tells the others
/// what this replica did, and each replica's `ReplicaListener` does its part for the players
/// connected to it. One SQLite server has no one to tell.
struct ReplicaBus: Sendable {
    let id = UUID().uuidString.lowercased()
    let store: ServerStore
    let logger: Logger

    var isShared: Bool { store.engine == .postgres }

    /// Tells the other replicas, once what it names is stored. A notice that is lost (a
    /// replica's listener reconnecting) costs a player no command: it picks its commands up
    /// when it reconnects or polls, as after any failed send.
    func announce(_ event: ReplicaNotice.Event) async {
        guard isShared else { return }
        do {
            try await store.database.notify(ReplicaNotice.channel, ReplicaNotice(from: id, event: event).encoded())
        } catch {
            logger.error("the other replicas were not told", metadata: ["event": .string("\(event)"), "error": .string("\(error)")])
        }
    }
}

/// Listens for the other replicas' notices and does this replica's part: their fan-outs' commands
/// to the screens connected here, their publications to every channel here, and a re-enrolled
/// screen's old channel closed here and its old key forgotten.
struct ReplicaListener: Service {
    let bus: ReplicaBus
    let database: PostgresDatabase
    let hub: DeviceHub
    let devices: DeviceRegistry
    let logger: Logger

    func run() async throws {
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await database.listen(ReplicaNotice.channel, ready: {
                        logger.info("listening to the other replicas", metadata: ["replica": .string(bus.id)])
                    }) { payload in await handle(payload) }
                }
            } catch {
                guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
                logger.error("lost the other replicas' notices; listening again", metadata: ["error": .string("\(error)")])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    func handle(_ payload: String) async {
        let notice: ReplicaNotice
        do { notice = try ReplicaNotice(parsing: payload) } catch {
            logger.error("a replica notice refused", metadata: ["error": .string(error.description)])
            return
        }
        guard notice.from != bus.id else { return }
        switch notice.event {
        case .commands(let batch, let first, let count):
            let connected = await hub.connectedScreenSet()
            guard !connected.isEmpty else { return }
            do {
                let commands = try await bus.store.pendingCommands(batch: batch, ids: first...first + Int64(count - 1), screens: connected)
                await hub.deliver(Dictionary(commands.map { ($0.screen, ServerNotice.commandMessage(signed: $0.signed)) }) { first, _ in first })
            } catch {
                logger.error("another replica's commands not delivered", metadata: ["batch": .stringConvertible(batch), "error": .string("\(error)")])
            }
        case .release(let role, let version):
            await hub.broadcast(.release(role: role, version: version))
        case .enrolled(let screen):
            await devices.forget(screen)
            await hub.disconnect(screen: screen)
        }
    }
}
