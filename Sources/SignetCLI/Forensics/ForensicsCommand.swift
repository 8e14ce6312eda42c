import ArgumentParser
import AsyncHTTPClient
import Foundation
import SignetCore
import SignetForensics
import SignetRender
import SignetTUFClient

/// `signet forensics`: what a screen showed at a moment and why, examined here from the server's
/// evidence with a root you trust: the server's own verdict is not read.
struct ForensicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forensics",
        abstract: "What a screen showed at a moment and why, from signed evidence checked on this machine.",
        discussion: """
            Fetches the evidence about SCREEN around TIME (device-signed proofs of play, the release's \
            signed metadata and programme, the commands as the screen received them, every root, and \
            the log entries that record them with inclusion proofs under a signed checkpoint) and checks \
            it all with the root you trust. Renders the approved programme itself to compare the frame. \
            Exits 0 when every proof and signature verifies, 1 when any does not.
            """
    )

    @Option(help: "The server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "An API token (or SIGNET_TOKEN).") var token: String?
    @Option(help: "The screen's id.") var screen: String
    @Option(help: "The moment, ISO 8601 with Z or an offset (e.g. 2024-11-27T06:00:05+05:00).") var at: String
    @Option(help: "Seconds either side of the moment for records and commands.") var window: Int64 = 600
    @Option(help: "A TUF root you trust (e.g. 1.root.json).") var root: String
    @Option(help: "Save the evidence (JSON) here, to examine again or hand over.") var saveEvidence: String?
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["SIGNET_TOKEN"] else {
            throw ValidationError("give --token or set SIGNET_TOKEN (an API token of an account that sees the screen)")
        }
        guard let moment = Instant(iso8601: at) else { throw ValidationError("--at: YYYY-MM-DDTHH:MM[:SS] with Z or an offset") }
        guard let trusted = try AtomicFile.read(root, maxBytes: 1 << 20) else { throw CLIError("\(root): no such file") }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        let api = APIClient(base: server.hasSuffix("/") ? String(server.dropLast()) : server, token: token, http: http)

        let report = try await Self.examine(api: api, screen: screen, at: moment, window: window, trustedRoot: trusted, saveEvidence: saveEvidence)
        if json {
            print(String(decoding: JSONWriter.pretty.encode(report.jsonValue()), as: UTF8.self))
        } else {
            for line in report.lines() { print(line) }
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// Fetches the evidence about `screen` around `at` and examines it here with `trustedRoot`.
    static func examine(api: APIClient, screen: String, at moment: Instant, window: Int64, trustedRoot trusted: [UInt8],
                        saveEvidence: String? = nil) async throws -> ForensicReport {
        let query = "at=\(moment.iso8601.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&window=\(window)"
        let answer = try await api.getJSON("/api/v1/screens/\(screen)/forensics?\(query)")
        guard let value = answer["evidence"] else { throw CLIError("the server's answer has no evidence") }
        let evidence: ForensicEvidence
        do { evidence = try ForensicEvidence(json: value) } catch { throw CLIError("the evidence is malformed: \(error.description)") }
        guard evidence.screen == screen, evidence.at == moment else { throw CLIError("the evidence is about \(evidence.screen) at \(evidence.at.iso8601)") }
        if let saveEvidence { try AtomicFile.write(JSONWriter.pretty.encode(evidence.jsonValue()), to: saveEvidence) }

        // The assets of the releases, each checked against its hash, for rendering here.
        var assets: [String: [UInt8]] = [:]
        for release in evidence.releases {
            for hash in (try? Programme(bytes: release.programme))?.assets.keys.sorted() ?? [] where assets[hash] == nil && HashAlgorithm.isSHA256Hex(hash) {
                let bytes = try await api.get("/api/v1/assets/\(hash)")
                guard HashAlgorithm.digest("sha256", of: bytes) == hash else { throw CLIError("asset \(hash) does not match its hash") }
                assets[hash] = bytes
            }
        }
        let renderer = SlideRenderer(typeface: try ProgrammeFiles.typeface(ProgrammeFiles.defaultFont))
        return ForensicExamination.examine(evidence, trustedRoot: trusted) { programme, screen, at in
            var frames = ScreenFrames(engine: try ScheduleEngine(programme: programme, screen: screen), renderer: renderer) { assets[$0] }
            let (canvas, showing) = try frames.frame(at: at)
            return (showing.slide, Fingerprint(of: canvas))
        }
    }
}
