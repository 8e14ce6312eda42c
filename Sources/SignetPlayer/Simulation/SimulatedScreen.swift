import AsyncHTTPClient
import Logging
import NIOCore
import SignetCore
import SignetRender
import SignetSystem
import SignetTUFClient
import Synchronization

/// One simulated player: its own key, channel, command sequence, trusted metadata and cache.
/// Messages are handled on the channel's event loop, as they arrive.
public final class SimulatedScreen: Sendable {
    struct State {
        var gate: CommandGate
        var socket: DeviceSocket?
        var release: Int64?
        var updating = false
        var updateAgain = false
        /// The programme's frames, when the fleet renders.
        var frames: ScreenFrames?
    }

    public let identity: DeviceIdentity
    let folder: String
    let keys: CommandKeys
    /// Shared by the fleet: a batch's signature is verified once per process (each screen still
    /// checks its own proof, screen, sequence and expiry).
    let verified: VerifiedBatches
    /// Shared by the fleet too: a programme document, once read and parsed, by its hash.
    let programmes: ProgrammeMemo
    let renderer: SlideRenderer?
    let http: HTTPClient
    let logger: Logger
    let client: DeviceClient
    private let state: Mutex<State>
    private let plays = Mutex(Plays())

    /// The screen's chain of proofs of play, and those the server does not hold yet.
    struct Plays {
        var head: PlayChainHead?
        var lastEnd: Int64?
        var pending: [PlayRecord] = []
        var made = 0
        var stored = 0
    }

    init(identity: DeviceIdentity, folder: String, keys: CommandKeys, verified: VerifiedBatches, programmes: ProgrammeMemo,
         renderer: SlideRenderer?, http: HTTPClient, logger: Logger) {
        self.identity = identity
        self.folder = folder
        self.keys = keys
        self.verified = verified
        self.programmes = programmes
        self.renderer = renderer
        self.http = http
        self.logger = logger
        client = DeviceClient(identity: identity, http: http)
        state = Mutex(State(gate: CommandGate(screen: identity.screen)))
    }

    public var release: Int64? { state.withLock { $0.release } }

    func connect(host: String, port: Int) async throws {
        let socket = try await client.openChannel(host: host, port: port) { [self] socket, text in
            receive(socket, Array(text.readableBytesView))
        }
        state.withLock { $0.socket = socket }
        update()
    }

    func receive(_ socket: DeviceSocket, _ bytes: [UInt8]) {
        let notice: ServerNotice
        do { notice = try ServerNotice(bytes: bytes) } catch {
            logger.warning("message refused", metadata: ["screen": .string(identity.screen), "error": .string(error.description)])
            return
        }
        switch notice {
        case .command(let document):
            let acknowledgement: Acknowledgement
            do {
                let command = try state.withLock { state throws(CommandGate.Refusal) in
                    try state.gate.accept(document: document, keys: keys, now: SystemWallClock().now().tufTime, verified: verified)
                }
                acknowledgement = Acknowledgement(command: command.id, result: .done)
            } catch {
                guard let id = document.objectValue?["signed"]?.objectValue?["id"]?.integerValue else { return }
                acknowledgement = Acknowledgement(command: id, result: .refused(error.description))
            }
            socket.send(DeviceReport.acknowledgement(acknowledgement).encoded())
        case .release:
            update()
        }
    }

    /// A TUF update into this screen's own cache; one at a time, and once more if a notice came
    /// meanwhile. A new release is reported at once.
    func update() {
        let start = state.withLock { state -> Bool in
            if state.updating { state.updateAgain = true; return false }
            state.updating = true
            return true
        }
        guard start else { return }
        Task {
            repeat {
                state.withLock { $0.updateAgain = false }
                do {
                    let source = ReleaseSource(metadataBaseURL: identity.server + "/repository/metadata/",
                                               targetsBaseURL: identity.server + "/repository/targets/",
                                               metadataDirectory: "\(folder)/metadata", fetcher: HTTPFetcher(client: http))
                    let cache = try ContentCache(folder: "\(folder)/cache")
                    let current = try await ReleaseSync.update(from: source, now: SystemWallClock().now().tufTime, cache: cache, screen: identity.screen,
                                                               readProgramme: programmes.read)
                    let engine = try renderer.map { _ in
                        try ScheduleEngine(programme: try programmes.read(current.programme) { cache.object(current.programme) ?? [] },
                                           screen: identity.screen)
                    }
                    let changed = state.withLock { state -> Bool in
                        defer { state.release = current.release }
                        guard state.release != current.release else { return false }
                        if let renderer, let engine { state.frames = ScreenFrames(engine: engine, renderer: renderer) { cache.object($0) } }
                        return true
                    }
                    if changed { sendHeartbeat(uptime: 0) }
                } catch {
                    logger.debug("update failed", metadata: ["screen": .string(identity.screen), "error": .string("\(error)")])
                }
            } while state.withLock { state in
                if state.updateAgain { return true }
                state.updating = false
                return false
            }
        }
    }

    func sendHeartbeat(uptime: Int64) {
        let (socket, release, rendered) = state.withLock { state in
            let frame = try? state.frames?.frame(at: SystemWallClock().now())
            return (state.socket, state.release, frame.map { (Fingerprint(of: $0.canvas), $0.showing.slide) })
        }
        let heartbeat = Heartbeat(release: release, slide: release == nil ? nil : rendered?.1 ?? "simulated",
                                  fingerprint: rendered?.0.description, mode: "programme", uptimeSeconds: uptime)
        socket?.send(DeviceReport.heartbeat(heartbeat).encoded())
    }

    /// Ends a showing of the current release (from the last one's end to `now`), then sends the
    /// proofs of play the server does not hold yet. Those it does not take are kept and sent
    /// next time, as a player keeps them.
    func reportPlays(now: Int64) async {
        let release = self.release
        plays.withLock { plays in
            let record = PlayRecord(sequence: (plays.head?.sequence ?? 0) + 1, previous: plays.head?.hash ?? PlayRecord.genesis,
                                    screen: identity.screen, mode: .programme, slide: "simulated", release: release,
                                    start: plays.lastEnd ?? now, end: now, fingerprint: nil)
            plays.head = PlayChainHead(sequence: record.sequence, hash: record.hash)
            plays.lastEnd = now
            plays.pending.append(record)
            plays.made += 1
        }
        await sendPendingPlays()
    }

    /// Sends what the server does not hold yet, if anything.
    func sendPendingPlays() async {
        let records = plays.withLock { Array($0.pending.prefix(PlayBatch.maxRecords)) }
        guard !records.isEmpty else { return }
        do {
            let through = try await client.sendPlays(records)
            plays.withLock { plays in
                let before = plays.pending.count
                plays.pending.removeAll { $0.sequence <= through }
                plays.stored += before - plays.pending.count
            }
        } catch {
            logger.debug("proofs of play not taken", metadata: ["screen": .string(identity.screen), "error": .string("\(error)")])
        }
    }

    /// Proofs of play made, and taken by the server.
    public var playCounts: (made: Int, stored: Int) { plays.withLock { ($0.made, $0.stored) } }

    public func close() {
        state.withLock { $0.socket }?.close()
    }
}

/// Programmes the simulated fleet has parsed, by the SHA-256 of their verified bytes: every
/// simulated screen downloads and verifies the document into its own cache, but the fleet parses
/// and validates each document once, not once per screen (all of them share two cores).
public final class ProgrammeMemo: Sendable {
    private let parsed = Mutex<[String: Programme]>([:])

    public init() {}

    public func read(_ sha256: String, _ load: () throws -> [UInt8]) throws -> Programme {
        if let programme = parsed.withLock({ $0[sha256] }) { return programme }
        let programme = try Programme(bytes: try load())
        parsed.withLock { memo in
            if memo.count >= 8 { memo.removeAll() }
            memo[sha256] = programme
        }
        return programme
    }
}
