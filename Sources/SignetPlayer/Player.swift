import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SignetCore
import SignetOutput
import SignetRender
import SignetSystem
import SignetTUFClient

/// The player daemon: keeps one outbound channel to its server (reconnecting with backoff and
/// jitter, polling while it is down), updates from the TUF repository on every release notice and
/// at least every poll interval, carries out signed commands, renders its screen's frames to its
/// outputs and reports heartbeats. It listens on no port.
public struct Player: Service {
    let identity: DeviceIdentity
    let configuration: PlayerConfiguration
    let client: DeviceClient
    let http: HTTPClient
    let clock: any WallClock
    let logger: Logger
    let started = ContinuousClock.now

    public init(identity: DeviceIdentity, configuration: PlayerConfiguration, http: HTTPClient = .shared,
                clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.identity = identity
        self.configuration = configuration
        self.http = http
        self.clock = clock
        self.logger = logger
        client = DeviceClient(identity: identity, http: http, clock: clock)
    }

    public func run() async throws {
        let cache = try ContentCache(folder: configuration.cacheFolder)
        let display = DisplayVerifier(policy: configuration.containment, captureConfigured: configuration.capture != nil,
                                      latencyMilliseconds: configuration.captureLatencyMilliseconds)
        let state = try PlayerState(controlStore: ControlStore(path: configuration.controlPath), cache: cache, display: display)
        let plays = try PlayLog(path: configuration.playLogPath, screen: identity.screen, keyID: identity.key.keyID)
        let typeface = try Typeface(name: (configuration.fontPath as NSString).lastPathComponent,
                                    bytes: Array(try Data(contentsOf: URL(fileURLWithPath: configuration.fontPath))))
        let (updates, requestUpdate) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (inbox, deliver) = AsyncStream<(DeviceSocket, [UInt8])>.makeStream()
        logger.info("player started", metadata: ["screen": .string(identity.screen), "server": .string(identity.server),
                                                 "outputs": .string(configuration.outputs.map { "\($0)" }.joined(separator: " "))])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await channel(state: state, deliver: deliver, requestUpdate: requestUpdate) }
                group.addTask { await receive(inbox, state: state, requestUpdate: requestUpdate) }
                group.addTask { await poll(state: state, requestUpdate: requestUpdate) }
                group.addTask { await update(updates, state: state, cache: cache) }
                group.addTask { await playout(state: state, cache: cache, typeface: typeface, plays: plays) }
                group.addTask { await heartbeats(state: state, cache: cache) }
                group.addTask { await proofsOfPlay(plays) }
                group.addTask { await witnessLog(state: state) }
                if let capture = configuration.capture { group.addTask { await watchCapture(capture, state: state) } }
            }
        }
        logger.info("player stopped", metadata: ["screen": .string(identity.screen)])
    }

    // MARK: The channel

    /// Keeps the channel open: connect with a signed request, wait until it closes, wait a backoff
    /// with jitter, again.
    func channel(state: PlayerState, deliver: AsyncStream<(DeviceSocket, [UInt8])>.Continuation,
                 requestUpdate: AsyncStream<Void>.Continuation) async {
        guard let url = URL(string: identity.server), let host = url.host, url.scheme == "http" else {
            logger.error("the channel needs an http:// server address; polling only", metadata: ["server": .string(identity.server)])
            return
        }
        let port = url.port ?? 80
        var failures = 0
        while !Task.isCancelled {
            do {
                let socket = try await client.openChannel(host: host, port: port) { socket, text in
                    deliver.yield((socket, Array(text.readableBytesView)))
                }
                failures = 0
                await state.setSocket(socket)
                logger.info("channel open", metadata: ["screen": .string(identity.screen)])
                requestUpdate.yield()
                await withTaskCancellationHandler { await socket.closed() } onCancel: { socket.close() }
                await state.setSocket(nil)
                logger.notice("channel closed; polling until it reopens", metadata: ["screen": .string(identity.screen)])
            } catch {
                if failures == 0 {
                    logger.warning("channel unavailable; polling", metadata: ["screen": .string(identity.screen), "error": .string("\(error)")])
                }
            }
            failures += 1
            do { try await Task.sleep(for: reconnectDelay(after: failures)) } catch { return }
        }
    }

    func reconnectDelay(after failures: Int) -> Duration {
        let doubled = configuration.reconnectFirst * (1 << min(failures - 1, 16))
        let capped = min(doubled, configuration.reconnectLast)
        return capped * Double.random(in: 0.5...1.0)
    }

    /// Messages from the server, in order.
    func receive(_ inbox: AsyncStream<(DeviceSocket, [UInt8])>, state: PlayerState, requestUpdate: AsyncStream<Void>.Continuation) async {
        for await (socket, bytes) in inbox {
            let notice: ServerNotice
            do { notice = try ServerNotice(bytes: bytes) } catch {
                logger.warning("message from the server refused", metadata: ["error": .string(error.description)])
                continue
            }
            switch notice {
            case .command(let document):
                if let acknowledgement = await carryOut(JSONWriter.compact.encode(document), state: state) {
                    socket.send(DeviceReport.acknowledgement(acknowledgement).encoded())
                }
            case .release(let role, let version):
                logger.info("release notice", metadata: ["role": .string(role), "version": .stringConvertible(version)])
                requestUpdate.yield()
            }
        }
    }

    /// At every poll interval: an update, and (while the channel is down) the pending commands.
    func poll(state: PlayerState, requestUpdate: AsyncStream<Void>.Continuation) async {
        while !Task.isCancelled {
            requestUpdate.yield()
            if await state.socket == nil {
                do {
                    for command in try await client.pendingCommands() {
                        if let acknowledgement = await carryOut(command, state: state) { try await client.acknowledge(acknowledgement) }
                    }
                } catch {
                    logger.warning("poll failed", metadata: ["screen": .string(identity.screen), "error": .string("\(error)")])
                }
            }
            do { try await Task.sleep(for: configuration.pollInterval) } catch { return }
        }
    }

    // MARK: Commands

    /// Verifies and carries out one command; the acknowledgement to send (a refusal too, with its
    /// reason), or nil if the document does not even name a command id.
    func carryOut(_ bytes: [UInt8], state: PlayerState) async -> Acknowledgement? {
        let id = (try? JSONParser().parse(bytes))?.objectValue?["signed"]?.objectValue?["id"]?.integerValue
        do {
            let keys = try CommandKeys(root: try trustedRoot())
            let outcome = try await state.receive(bytes, screen: identity.screen, keys: keys, now: clock.now().tufTime)
            let command = outcome.command
            guard case .carriedOut = outcome else {
                logger.info("command carried out before; acknowledged again", metadata: ["id": .stringConvertible(command.id)])
                return Acknowledgement(command: command.id, result: .done)
            }
            if command.action == .screenshot { await state.requestThumbnail() }
            logger.notice("command carried out", metadata: ["action": .string(command.action.rawValue), "id": .stringConvertible(command.id),
                                                          "sequence": .stringConvertible(command.sequence), "issued_by": .string(command.issuedBy)])
            return Acknowledgement(command: command.id, result: .done)
        } catch {
            logger.warning("command refused", metadata: ["id": .string(id.map(String.init) ?? "none"), "reason": .string("\(error)")])
            return id.map { Acknowledgement(command: $0, result: .refused("\(error)")) }
        }
    }

    func trustedRoot() throws -> Root {
        guard let bytes = try AtomicFile.read("\(configuration.metadataFolder)/root.json", maxBytes: 1 << 20) else {
            throw PlayerError("no trusted root in \(configuration.metadataFolder)")
        }
        return try Metadata<Root>(bytes: bytes, roleName: Root.type).signed
    }

    // MARK: Updates

    /// Takes releases from the mirror when one is configured, and from the server's own
    /// repository when the mirror's do not verify (or it cannot be reached): a mirror or CDN is
    /// untrusted, so a file it altered costs one refused download, not the update.
    func update(_ requests: AsyncStream<Void>, state: PlayerState, cache: ContentCache) async {
        func source(_ base: String) -> ReleaseSource {
            ReleaseSource(metadataBaseURL: base + "/metadata/", targetsBaseURL: base + "/targets/",
                          metadataDirectory: configuration.metadataFolder, fetcher: HTTPFetcher(client: http))
        }
        let origin = source(identity.server + "/repository"), mirror = configuration.repository.map(source)
        var refusedFor: Set<String> = []
        for await _ in requests {
            if await state.control.lockdown {
                logger.info("lockdown: no update taken")
                continue
            }
            let before = await state.programme?.current
            // Metadata that does not verify is what an attack looks like: the server hears of it
            // at once (once per reason until an update succeeds), not only this log.
            func refused(_ error: any Error, from place: String) async {
                guard let refusal = error as? TUFError, Self.looksLikeAnAttack(refusal) else { return }
                let detail = String((mirror == nil ? refusal.message : "\(place): \(refusal.message)").prefix(500))
                guard refusedFor.insert(detail).inserted else { return }
                await report(.init(alerts: [DeviceAlert(kind: .updateRefused, release: before?.release, detail: detail,
                                                        at: clock.now().millisecondsSince1970)]), state: state)
            }
            do {
                let now = clock.now()
                func sync(_ source: ReleaseSource) async throws -> ContentCache.Current {
                    try await ReleaseSync.update(from: source, now: now.tufTime, cache: cache, screen: identity.screen,
                                                 quotaBytes: configuration.cacheQuotaBytes, checkpoint: faultCheckpoint(replacing: before))
                }
                let current: ContentCache.Current
                if let mirror {
                    do { current = try await sync(mirror) } catch {
                        logger.warning("the mirror's release was refused; taking it from the server", metadata: [
                            "mirror": .string(configuration.repository!), "error": .string("\(error)")])
                        await refused(error, from: "the mirror")
                        current = try await sync(origin)
                    }
                } else {
                    current = try await sync(origin)
                }
                try cache.recordVerified(at: now)
                refusedFor = []
                await state.verified(at: now, programme: current == before ? nil : cache.current())
                if current != before {
                    logger.notice("release in use", metadata: ["release": .stringConvertible(current.release),
                                                               "programme": .string(String(current.programme.prefix(16)))])
                    try? cache.evict()
                }
            } catch {
                logger.warning("update failed; the programme in use stays", metadata: [
                    "release": .string(before.map { String($0.release) } ?? "none"), "error": .string("\(error)")])
                await refused(error, from: "the server")
            }
        }
    }

    /// Refusals of metadata itself (signatures, versions, expiry, hashes), not of the network.
    static func looksLikeAnAttack(_ error: TUFError) -> Bool {
        switch error.kind {
        case .malformed, .wrongType, .unsupportedSpecVersion, .threshold, .badVersion, .expired, .lengthMismatch, .hashMismatch: true
        case .equalVersion, .missingMetadata, .httpStatus, .download, .storage, .workflow: false
        }
    }

    func faultCheckpoint(replacing current: ContentCache.Current?) -> ReleaseSync.Checkpoint {
        guard let pause = configuration.faultPause, current != nil else { return { _ in } }
        return { stage in
            guard stage == pause else { return }
            FileHandle.standardError.write(Data("signet player: fault pause at \(stage.rawValue)\n".utf8))
            try? await Task.sleep(for: .seconds(600))
        }
    }

    /// For fault tests (`faultSlides`): the frame with its colours inverted.
    static func faulty(_ canvas: Canvas) -> Canvas {
        var inverted = canvas
        for index in inverted.pixels.indices where index % 4 != 3 { inverted.pixels[index] = 255 - inverted.pixels[index] }
        return inverted
    }

    // MARK: Playout

    func playout(state: PlayerState, cache: ContentCache, typeface: Typeface, plays: PlayLog) async {
        var sinks: [any FrameSink] = []
        for output in configuration.outputs {
            do { sinks.append(try output.open(source: E131Source.screen(identity.screen))) } catch {
                logger.error("output unavailable", metadata: ["output": .string("\(output)"), "error": .string("\(error)")])
            }
        }
        let renderer = SlideRenderer(typeface: typeface)
        var frames: ScreenFrames?
        var framesOf: String?
        var lastSent: Fingerprint?
        var lastThumbnail: (fingerprint: Fingerprint, at: ContinuousClock.Instant)?
        while !Task.isCancelled {
            let snapshot = await state.snapshot
            let now = clock.now()
            if let (current, programme) = snapshot.programme, current.programme != framesOf {
                do {
                    frames = ScreenFrames(engine: try ScheduleEngine(programme: programme, screen: identity.screen), renderer: renderer) { cache.object($0) }
                    framesOf = current.programme
                } catch {
                    logger.error("the programme has no timeline for this screen", metadata: ["error": .string("\(error)")])
                }
            }
            let decision = Playout.decide(snapshot.control, containment: snapshot.containment, hasProgramme: frames != nil,
                                          lastVerified: snapshot.lastVerified, now: now, offlineGrace: configuration.offlineGraceMilliseconds)
            if var screenFrames = frames {
                do {
                    // Containment's re-output draws the frame afresh: a damaged prepared slide goes.
                    if await state.takeRedrawRequest() { screenFrames = ScreenFrames(engine: screenFrames.engine, renderer: renderer) { cache.object($0) } }
                    let frame = try Playout.frame(decision, frames: &screenFrames, state: snapshot.control, at: now)
                    let faulty = frame.slide.map(configuration.faultSlides.contains) ?? false
                    let canvas = faulty ? Self.faulty(frame.canvas) : frame.canvas
                    // What the outputs carry (dimmed by the brightness policy), which the capture
                    // is held to; and the frame as drawn before dimming, which is what approvers
                    // saw and what heartbeats and proofs of play report.
                    let fingerprint = Fingerprint(of: canvas)
                    let drawn = frame.drawn == frame.canvas ? fingerprint : Fingerprint(of: faulty ? Self.faulty(frame.drawn) : frame.drawn)
                    let slide = frame.slide
                    for index in sinks.indices where fingerprint != lastSent || !(sinks[index] is PNGFileSink) {
                        do { try sinks[index].send(canvas) } catch {
                            logger.error("output failed", metadata: ["output": .string(sinks[index].name), "error": .string("\(error)")])
                        }
                    }
                    await state.outputs(fingerprint)
                    if fingerprint != lastSent {
                        logger.info("on screen", metadata: ["slide": .string(slide ?? "black"), "why": .string(decision.summary)])
                    }
                    lastSent = fingerprint
                    let release = snapshot.programme?.current.release
                    let expected = slide.flatMap { snapshot.programme?.current.fingerprints[$0] }
                    if frame.steady, slide != nil {
                        await report(await state.checkRender(slide: slide, release: release, rendered: drawn, expected: expected,
                                                             wall: now.millisecondsSince1970), state: state)
                    }
                    await state.show(.init(slide: slide, fingerprint: drawn, decision: decision))
                    let verifier = await state.display
                    await record(decision, slide: slide, release: release, fingerprint: drawn, expected: expected, verifier: verifier,
                                 at: now, in: plays)
                    let thumbnailDue = configuration.thumbnailInterval.map { interval in
                        lastThumbnail.map { $0.fingerprint != fingerprint && ContinuousClock.now - $0.at >= interval } ?? true
                    } ?? false
                    if await state.takeThumbnailRequest() || thumbnailDue {
                        sendThumbnail(of: canvas)
                        lastThumbnail = (fingerprint, ContinuousClock.now)
                    }
                } catch {
                    logger.error("render failed", metadata: ["error": .string("\(error)")])
                }
                frames = screenFrames
            } else {
                await state.show(.init(slide: nil, fingerprint: nil, decision: decision))
                await record(.black(reason: "no programme"), slide: nil, release: nil, fingerprint: nil, at: now, in: plays)
            }
            // The next frame at the frame interval, or at once when a command changed what to
            // show (a blank must not wait up to a frame interval).
            let due = ContinuousClock.now + configuration.frameInterval
            while ContinuousClock.now < due, !(await state.takeControlChange()) {
                do { try await Task.sleep(for: min(Self.commandLatency, due - ContinuousClock.now)) } catch { return }
            }
        }
    }

    /// How soon a command's effect reaches the outputs, at most.
    static let commandLatency: Duration = .milliseconds(50)

    static func mode(_ decision: Playout.Decision) -> PlayRecord.Mode {
        switch decision {
        case .programme: .programme
        case .safeSlide: .safe
        case .black: .black
        }
    }

    /// What a heartbeat says containment holds the screen to: the safe slide or black, or nothing.
    static func heldBy(_ step: Containment.Step) -> String? {
        switch step {
        case .safeSlide, .black: step.rawValue
        case .none, .reoutput, .retry: nil
        }
    }

    func record(_ decision: Playout.Decision, slide: String?, release: Int64?, fingerprint: Fingerprint?, expected: Fingerprint? = nil,
                verifier: DisplayVerifier? = nil, at now: Instant, in plays: PlayLog) async {
        do {
            try await plays.observe(mode: Self.mode(decision), slide: slide, release: release, fingerprint: fingerprint?.description,
                                    expected: expected?.description, capture: verifier?.capture, captured: verifier?.captured?.description,
                                    contained: Playout.containment(of: decision)?.rawValue, at: now.millisecondsSince1970)
        } catch {
            logger.error("proof of play not saved", metadata: ["error": .string("\(error)")])
        }
    }

    // MARK: Display verification

    /// Checks the capture's newest picture every capture interval.
    func watchCapture(_ source: CaptureSource, state: PlayerState) async {
        let reader = CaptureReader(source)
        defer { reader.stop() }
        logger.info("capture checks", metadata: ["source": .string("\(source)"), "every": .string("\(configuration.captureInterval)")])
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.captureInterval) } catch { return }
            let reading = reader.latest(maxAge: configuration.captureStale)
            await report(await state.checkCapture(reading, wall: clock.now().millisecondsSince1970), state: state)
        }
    }

    /// Alerts go to the server at once, over the channel or, while it is down, a signed request.
    func report(_ outcome: DisplayVerifier.Outcome, state: PlayerState) async {
        guard !outcome.alerts.isEmpty else { return }
        for alert in outcome.alerts {
            let level: Logger.Level = alert.kind == .containment || alert.kind == .captureRestored ? .warning : .critical
            logger.log(level: level, "alert", metadata: [
                "kind": .string(alert.kind.rawValue), "class": .string(alert.classification?.rawValue ?? "-"), "step": .string(alert.step ?? "-"),
                "slide": .string(alert.slide ?? "-"), "distance": .string(alert.distance.map(String.init) ?? "-")])
        }
        if let socket = await state.socket {
            for alert in outcome.alerts { socket.send(DeviceReport.alert(alert).encoded()) }
            return
        }
        let client = self.client, logger = self.logger
        Task {
            for alert in outcome.alerts {
                do { try await client.alert(alert) } catch {
                    logger.warning("display alert not delivered", metadata: ["kind": .string(alert.kind.rawValue), "error": .string("\(error)")])
                }
            }
        }
    }

    func sendThumbnail(of canvas: Canvas) {
        let client = self.client, logger = self.logger
        Task {
            do { try await client.sendThumbnail(try PNGEncoder.encode(canvas.thumbnail())) } catch {
                logger.warning("thumbnail not delivered", metadata: ["error": .string("\(error)")])
            }
        }
    }

    // MARK: Heartbeats

    func heartbeats(state: PlayerState, cache: ContentCache) async {
        while !Task.isCancelled {
            let showing = await state.showing, snapshot = await state.snapshot, display = await state.display
            let uptime = Int64((ContinuousClock.now - started).components.seconds)
            let heartbeat = Heartbeat(release: snapshot.programme?.current.release, slide: showing.slide ?? "black",
                                      fingerprint: showing.fingerprint?.description, mode: snapshot.control.mode.rawValue,
                                      lockdown: snapshot.control.lockdown, uptimeSeconds: uptime, cache: ["objects": .integer(Int64(cache.objectCount()))],
                                      logAlert: await state.logAlert, containment: Self.heldBy(snapshot.containment),
                                      capture: display.capture?.rawValue)
            if let socket = await state.socket {
                socket.send(DeviceReport.heartbeat(heartbeat).encoded())
            } else {
                do { try await client.heartbeat(heartbeat) } catch {
                    logger.warning("heartbeat not delivered", metadata: ["error": .string("\(error)")])
                }
            }
            do { try await Task.sleep(for: configuration.heartbeatInterval) } catch { return }
        }
    }

    // MARK: Witnessing the transparency log

    /// Keeps the newest log checkpoint accepted (`DIR/log-checkpoint`, checked with the log key
    /// the trusted root names) and takes a newer one only with a consistency proof from it, every
    /// heartbeat interval. A fork or a rollback is a critical line in the log and, from then on, a
    /// `log_alert` in every heartbeat; the checkpoint held stays the one accepted before.
    func witnessLog(state: PlayerState) async {
        let witness = CheckpointWitness(path: "\(configuration.folder)/log-checkpoint")
        var lastProblem: String?
        while !Task.isCancelled {
            do {
                let key = try NoteKey(logOf: try trustedRoot())
                let outcome = try await witness.witness(try await client.logCheckpoint(), key: key) { try await client.logConsistency(from: $0, to: $1) }
                switch outcome.verdict {
                case .first, .extended, .unchanged: break
                case .fork(let why), .rollback(let why):
                    if await state.raiseLogAlert(why) {
                        logger.critical("the transparency log forked or rolled back: the server shows another history", metadata: ["why": .string(why)])
                    }
                }
                lastProblem = nil
            } catch {
                let problem = "\(error)"
                if problem != lastProblem { logger.warning("log checkpoint not witnessed", metadata: ["error": .string(problem)]) }
                lastProblem = problem
            }
            do { try await Task.sleep(for: configuration.heartbeatInterval) } catch { return }
        }
    }

    // MARK: Proofs of play

    /// Saves the showing in progress and sends the unacknowledged records, every heartbeat interval.
    func proofsOfPlay(_ plays: PlayLog) async {
        var reportedFailure = false
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.heartbeatInterval) } catch { break }
            do {
                try await plays.checkpoint(at: clock.now().millisecondsSince1970)
                var records = await plays.unacknowledged()
                while !records.isEmpty {
                    try await plays.acknowledged(through: try await client.sendPlays(records))
                    let next = await plays.unacknowledged()
                    if next.first?.sequence == records.first?.sequence { break }
                    records = next
                }
                reportedFailure = false
            } catch {
                if !reportedFailure {
                    let pending = await plays.pendingCount
                    logger.warning("proofs of play kept until the server takes them", metadata: [
                        "pending": .stringConvertible(pending), "error": .string("\(error)")])
                }
                reportedFailure = true
            }
        }
        try? await plays.checkpoint(at: clock.now().millisecondsSince1970)
    }
}
