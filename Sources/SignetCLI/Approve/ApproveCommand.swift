import ArgumentParser
import AsyncHTTPClient
import Foundation
import SignetCore
import SignetRender
import SignetTUFClient

/// `signet approve`: an approver checks a release proposal on their own machine (every file
/// re-hashed, the programme validated, every screen rendered locally) and signs it with a key the
/// server never sees. Before anything else it witnesses the server's transparency log and refuses
/// to sign for a server that shows a history other than the one the approver saw.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Check a release proposal yourself and sign it with your approver key."
    )

    @Argument(help: "The proposal number.") var proposal: Int64
    @Option(help: "The server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "Your approver private key (PEM).") var key: String
    @Option(help: "Your API token (or SIGNET_TOKEN).") var token: String?
    @Option(help: "Where to write the previews (default approve-PROPOSAL).") var previews: String?
    @Option(help: "When to preview each screen (default now; same forms as render --at).") var at: String?
    @Option(help: "How many days to compare with the published programme, from --at or now.") var days = 7
    @Option(help: "The root you trust (1.root.json from the key ceremony): needed the first time, it names the log's key.") var root: String?
    @Option(help: "Where you keep the newest log checkpoint you witnessed (default ~/.signet/witness/HOST_PORT).") var witness: String?
    @Flag(help: "Sign without asking.") var yes = false

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["SIGNET_TOKEN"] else {
            throw ValidationError("give --token or set SIGNET_TOKEN (an API token of your approver account)")
        }
        let signingKey = try KeyFile.loadSigningKey(key)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        let api = APIClient(base: base, token: token, http: http)
        _ = try await ApproverWitness(folder: witness ?? ApproverWitness.defaultFolder(server: base)).check(server: base, api: api, http: http, root: root)

        let proposal = try await api.getJSON("/api/v1/releases/\(self.proposal)")
        guard proposal["state"]?.stringValue == "open" else {
            throw CLIError("proposal \(self.proposal) is \(proposal["state"]?.stringValue ?? "?"); only an open proposal can be signed")
        }
        let approvers = proposal["approver_key_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let role = proposal["role"]?.stringValue ?? Targets.type
        let programmePath = ReleaseScope.programmePath(group: ReleaseScope.group(ofRole: role))
        guard approvers.contains(signingKey.keyID) else {
            throw CLIError("your key \(signingKey.keyID.prefix(16)) is not one of the approver keys of \(role)")
        }
        guard let signedValue = proposal["signed"], let programmeVersion = proposal["programme_version"]?.integerValue else {
            throw CLIError("the proposal has no signed metadata")
        }
        let targets = try Targets(signed: signedValue)
        var metadata = Metadata(signed: targets)
        guard HashAlgorithm.digest("sha256", of: metadata.canonicalSigned) == proposal["signed_sha256"]?.stringValue else {
            throw CLIError("the proposal does not encode to the bytes the server says it does; refusing to sign")
        }
        status("proposal \(self.proposal): \(role) v\(targets.version), programme v\(programmeVersion), \(targets.targets.count) files")
        for delegation in targets.delegations?.roles ?? [] {
            print("  delegates \(delegation.name) (\(delegation.paths?.joined(separator: ", ") ?? "hashed bins")) to \(delegation.keys.threshold) of "
                  + delegation.keys.keyIDs.map { String($0.prefix(16)) }.joined(separator: ", "))
        }

        // Every file, fetched and re-hashed here.
        var files: [String: [UInt8]] = [:]
        for (path, info) in targets.targets {
            let bytes = path == programmePath
                ? try await api.get("/api/v1/releases/\(self.proposal)/programme")
                : try await api.get("/api/v1/assets/\(path.split(separator: "/").last!)")
            guard Int64(bytes.count) == info.length else { throw CLIError("\(path): \(bytes.count) bytes, the proposal says \(info.length)") }
            try HashAlgorithm.verify(bytes, against: info.hashes, what: path)
            files[path] = bytes
            status("  verified \(path) (\(bytes.count) bytes)")
        }
        guard let programmeBytes = files[programmePath] else { throw CLIError("the proposal has no \(programmePath)") }
        let programme = try Programme(bytes: programmeBytes)
        // Assets by sha256, whatever folder the role keeps them in.
        var assets: [String: [UInt8]] = [:]
        for (path, bytes) in files where path != programmePath { assets[String(path.split(separator: "/").last!)] = bytes }

        // What each screen will show, rendered here from the verified files.
        let folder = previews ?? "approve-\(self.proposal)"
        try AtomicFile.createDirectory(folder)
        let renderer = SlideRenderer(typeface: try ProgrammeFiles.typeface(ProgrammeFiles.defaultFont))
        let frames = try Self.checkFrames(targets.targets[programmePath]?.custom, programme: programme, renderer: renderer, assets: assets)
        status("  \(frames): rendered here and signed with the release; players check every frame against them")
        print("What the screens will show (previews in \(folder)/):")
        var windowStart = Instant(Clock.now())
        for (index, id) in programme.screens.keys.sorted().enumerated() {
            let engine = try ScheduleEngine(programme: programme, screen: id)
            let instant = try at.map { try ProgrammeFiles.instant($0, on: engine, option: "--at") } ?? Instant(Clock.now())
            if index == 0 { windowStart = instant }
            var frames = ScreenFrames(engine: engine, renderer: renderer) { assets[$0] }
            let (canvas, showing) = try frames.frame(at: instant)
            try AtomicFile.write(try PNGEncoder.encode(canvas), to: "\(folder)/\(id).png")
            print("  \(id): \(showing.slide.map { "slide \($0)" } ?? "black") (\(showing.source)) at \(instant.local(engine.calendar)); fingerprint \(Fingerprint(of: canvas).description.prefix(19))…")
        }
        for entry in programme.schedule {
            print("  schedule \(entry.id): playlist \(entry.playlist), \(entry.from.map(\.description) ?? "always") to \(entry.to.map(\.description) ?? "open"), priority \(entry.priority)\(entry.interrupt ? ", interrupt" : "")")
        }
        if let diff = proposal["diff"]?.objectValue {
            for kind in ["added", "changed", "removed"] {
                for path in diff[kind]?.arrayValue?.compactMap(\.stringValue) ?? [] { print("  \(kind): \(path)") }
            }
        }
        try await showChanges(to: programme, assets: assets, role: role, path: programmePath,
                              api: api, renderer: renderer, folder: folder, from: windowStart)

        if !yes {
            FileHandle.standardError.write(Data("Sign proposal \(self.proposal) (targets v\(targets.version))? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { throw CLIError("not signed") }
        }
        try metadata.sign(with: signingKey)
        let signature = metadata.signatures.first { $0.keyID == signingKey.keyID }!
        let result = try await api.post("/api/v1/releases/\(self.proposal)/signatures",
                                        ["keyid": .string(signature.keyID), "sig": .string(signature.signature)])
        let count = result["signatures"]?.integerValue ?? 0, threshold = result["threshold"]?.integerValue ?? 0
        print("signed proposal \(self.proposal) with key \(signingKey.keyID.prefix(16)): \(count) of \(threshold) signatures"
              + (result["published"] == .bool(true) ? "; published" : ""))
    }

    /// Renders every slide at every screen size here and compares each with the fingerprint the
    /// proposal carries (`frames`): players hold their frames to these, so a proposal whose
    /// fingerprints are not this programme's frames is not signed. Two builds of the renderer may
    /// antialias a glyph differently by a step or two; anything over `tolerance` is refused.
    static func checkFrames(_ custom: JSONValue?, programme: Programme, renderer: SlideRenderer,
                            assets: [String: [UInt8]]) throws -> String {
        guard let claimed = custom?.objectValue?["frames"] else {
            throw CLIError("the proposal carries no frame fingerprints (custom frames); refusing to sign a release players cannot check")
        }
        let proposed = try ApprovedFrames(json: claimed)
        let computed = try ApprovedFrames.compute(programme, renderer: renderer) { assets[$0] }
        var largest = 0
        for (size, slides) in computed.fingerprints {
            for (slide, fingerprint) in slides {
                guard let other = proposed.fingerprints[size]?[slide] else {
                    throw CLIError("the proposal has no fingerprint for slide \(slide) at \(size); refusing to sign")
                }
                let distance = fingerprint.distance(to: other)
                guard distance <= tolerance else {
                    throw CLIError("slide \(slide) at \(size) renders here \(distance) away from the proposal's fingerprint "
                                   + "(at most \(tolerance)); refusing to sign")
                }
                largest = max(largest, distance)
            }
            guard proposed.fingerprints[size]?.count == slides.count else {
                throw CLIError("the proposal's fingerprints at \(size) name slides the programme does not have; refusing to sign")
            }
        }
        guard proposed.fingerprints.count == computed.fingerprints.count else {
            throw CLIError("the proposal's fingerprints name screen sizes the programme does not have; refusing to sign")
        }
        let count = computed.fingerprints.values.reduce(0) { $0 + $1.count }
        return "\(count) frame fingerprints (\(programme.slides.count) slides at \(computed.fingerprints.count) sizes) within \(largest) of the proposal's"
    }

    static let tolerance = 4

    /// What changes on each screen in the coming `days`, worked out here from the published
    /// programme of the same role (read from the repository and checked against its published
    /// metadata) and the proposed one, with both sides rendered at each screen's first change.
    /// The published side is context; what is signed is the proposed side, every byte checked above.
    func showChanges(to programme: Programme, assets: [String: [UInt8]], role: String, path: String, api: APIClient,
                     renderer: SlideRenderer, folder: String, from: Instant) async throws {
        var before: Programme?, published: Int64?
        if let bytes = try? await api.get("/repository/metadata/\(role).json"), let info = try Metadata<Targets>(bytes: bytes, roleName: role).signed.targets[path] {
            let document = try await api.get("/repository/targets/\(path)")
            try HashAlgorithm.verify(document, against: info.hashes, what: "published \(path)")
            before = try Programme(bytes: document)
            published = info.custom?.objectValue?["programme_version"]?.integerValue
        }
        let to = from.adding(milliseconds: Int64(days) * 86_400_000)
        let document = DocumentChanges(before: before, after: programme)
        print("The programme against \(published.map { "published programme v\($0)" } ?? "nothing published") for \(role):"
              + (document.isEmpty ? " no change" : ""))
        for line in document.lines { print("  \(line)") }
        let changes = ProgrammeDiff.compare(before: before, after: programme, from: from, to: to)
        print("What the screens show differently from \(from) for \(days) days:" + (changes.isEmpty ? " nothing" : ""))
        var assets = assets
        for change in changes {
            for line in change.lines { print("  \(line)") }
            let at = change.firstChange(or: from)
            for (side, version) in [("before", before), ("after", Optional(programme))] {
                guard let version, version.screens[change.screen] != nil else { continue }
                for hash in version.assets.keys where assets[hash] == nil {
                    let bytes = try await api.get("/api/v1/assets/\(hash)")
                    guard HashAlgorithm.digest("sha256", of: bytes) == hash else { throw CLIError("asset \(hash) does not match its hash") }
                    assets[hash] = bytes
                }
                let engine = try ScheduleEngine(programme: version, screen: change.screen)
                var frames = ScreenFrames(engine: engine, renderer: renderer) { assets[$0] }
                let (canvas, showing) = try frames.frame(at: at)
                try AtomicFile.write(try PNGEncoder.encode(canvas), to: "\(folder)/\(change.screen)-\(side).png")
                print("    \(side) at \(at.local(engine.calendar)): \(showing.slide ?? "black") (\(folder)/\(change.screen)-\(side).png)")
            }
        }
    }
}
