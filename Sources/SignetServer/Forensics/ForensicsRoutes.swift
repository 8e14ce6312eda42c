import Foundation
import Hummingbird
import SignetCore
import SignetForensics
import SignetRender
import SignetTUFClient
import SignetTUFRepository

/// What a screen showed at a moment and why: the evidence (signed bytes and log entries with
/// proofs) and the server's own examination of it against root v1. A reader who does not trust the
/// server examines the same evidence with a root of their own (`signet forensics`).
enum ForensicsRoutes {
    static let defaultWindowSeconds: Int64 = 600

    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/api/v1/screens/{id}/forensics") { request, context, principal in
            let id = context.parameters.get("id") ?? ""
            try await services.checkScreenAccess(id, principal!.account)
            guard let text = request.uri.queryParameters["at"].map(String.init), let at = Instant(iso8601: text) else {
                throw APIError(.badRequest, "at: YYYY-MM-DDTHH:MM[:SS] with Z or an offset")
            }
            let window = try request.uri.queryParameters["window"].map { text in
                guard let seconds = Int64(text), (1...86_400).contains(seconds) else { throw APIError(.badRequest, "window: 1 to 86400 seconds") }
                return seconds
            } ?? defaultWindowSeconds
            let evidence = try await services.forensicEvidence(screen: id, at: at, window: window)
            guard let trusted = try AtomicFile.read("\(services.publisher.repository.metadataDirectory)/1.root.json", maxBytes: 1 << 20) else {
                throw APIError(.serviceUnavailable, "the TUF repository has no root yet")
            }
            let report = ForensicExamination.examine(evidence, trustedRoot: trusted, render: try services.forensicRenderer())
            // The report also as `signet forensics` prints it, for people (the console shows these lines).
            return JSONBody.response(["report": report.jsonValue(), "lines": .array(report.lines().map(JSONValue.string)),
                                      "evidence": evidence.jsonValue()])
        }
    }
}

extension Services {
    func forensicEvidence(screen: String, at: Instant, window: Int64) async throws -> ForensicEvidence {
        let from = at.adding(milliseconds: -window * 1000), to = at.adding(milliseconds: window * 1000)
        let records = try await store.forensicRecords(screen: screen, from: from, to: to)
        // A checkpoint signed now, if the log grew since the last, so that it holds every entry cited.
        let checkpoint = try await checkpointer.checkpoint()
        let metadata = publisher.repository.metadataDirectory
        var roots: [[UInt8]] = []
        while let root = try AtomicFile.read("\(metadata)/\(roots.count + 1).root.json", maxBytes: 1 << 20) { roots.append(root) }
        var releases: [ForensicEvidence.Release] = []
        for (proposal, signers, publishIndex) in records.releases {
            guard let published = try AtomicFile.read("\(metadata)/\(proposal.targetsVersion).\(PercentEncoding.encode(proposal.role)).json", maxBytes: 8 << 20)
            else { continue }
            var programme = proposal.programme
            if programme == nil { programme = try await store.programme(version: proposal.programmeVersion) }
            releases.append(ForensicEvidence.Release(
                role: proposal.role, metadata: published,
                delegator: proposal.role == Targets.type ? nil : try AtomicFile.read("\(metadata)/targets.json", maxBytes: 8 << 20),
                programme: programme ?? [], proposal: proposal.id, proposedBy: proposal.createdBy, signers: signers, publishLogIndex: publishIndex))
        }
        var indices = Set(records.batches.flatMap { [$0.logIndex, $0.enrollLogIndex].compactMap { $0 } })
        indices.formUnion(records.commands.compactMap(\.logIndex))
        indices.formUnion(records.releases.flatMap { $0.signers.compactMap(\.logIndex) + [$0.publishLogIndex].compactMap { $0 } })
        return ForensicEvidence(screen: screen, at: at, from: from, to: to, checkpoint: checkpoint.note, roots: roots, plays: records.plays,
                                batches: records.batches, releases: releases, commands: records.commands,
                                entries: try await store.logEntries(indices, size: checkpoint.size))
    }

    /// Renders with the server's font and its asset files.
    func forensicRenderer() throws -> ForensicExamination.Render {
        guard let typeface else { throw APIError(.serviceUnavailable, "the renderer's font could not be loaded") }
        let assets = self.assets
        return { programme, screen, at in
            var frames = ScreenFrames(engine: try ScheduleEngine(programme: programme, screen: screen), renderer: SlideRenderer(typeface: typeface)) { hash in
                HashAlgorithm.isSHA256Hex(hash) ? (try? Data(contentsOf: URL(fileURLWithPath: assets.path(hash)))).map(Array.init) : nil
            }
            let (canvas, showing) = try frames.frame(at: at)
            return (showing.slide, Fingerprint(of: canvas))
        }
    }
}
