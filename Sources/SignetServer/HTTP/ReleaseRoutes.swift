import Foundation
import Hummingbird
import NIOCore
import SignetCore
import SignetTUFRepository

/// Release proposals: the latest programme and its assets as the next version of the targets
/// role, with what changes against the published release. Approvers sign the proposal's
/// `signed` object with their own keys, outside the server.
enum ReleaseRoutes {
    static let programmeTarget = "programme.json"

    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/releases") { _, context, principal in
            guard let draft = try await services.store.latestProgramme() else { throw APIError(.notFound, "no programme saved yet") }
            let repository = FileRepository(directory: "\(services.config.dataDirectory)/repository")
            let metadata: RepositoryMetadata
            do { metadata = try repository.load() } catch { throw APIError(.conflict, "the TUF repository cannot be read: \(error)") }
            guard metadata.isPublished, let published = metadata.targetsRoles[Targets.type] else {
                throw APIError(.conflict, "the TUF repository is not published yet: its custodians must sign root v1 first")
            }
            var targets = published.signed
            targets.version += 1
            targets.expires = services.clock.now().tufTime.adding(seconds: ExpiryPolicy().targets)
            targets.targets = try await services.releaseTargets(draft)
            let signed = Metadata(signed: targets).canonicalSigned
            let proposal = try await services.store.propose(programmeVersion: draft.version, targetsVersion: targets.version,
                                                            signed: signed, by: principal!.account.name, at: services.clock.now())
            try await services.audit(principal!.account.name, "release.propose", "proposal \(proposal.id)", context.clientAddress,
                                     ["programme_version": .integer(draft.version), "targets_version": .integer(targets.version),
                                      "signed_sha256": .string(HashAlgorithm.digest("sha256", of: signed)!)])
            return JSONBody.response(try await services.describe(proposal, published: published.signed, root: metadata.root?.signed),
                                     status: .created)
        }

        routes.on(.get, "/api/v1/releases") { _, _, _ in
            let proposals = try await services.store.proposals()
            return JSONBody.response(["proposals": .array(proposals.map { proposal in
                .object(["id": .integer(proposal.id), "state": .string(proposal.state.rawValue),
                         "programme_version": .integer(proposal.programmeVersion), "targets_version": .integer(proposal.targetsVersion),
                         "created_by": .string(proposal.createdBy), "created_at": .string(proposal.createdAt.iso8601)])
            })])
        }

        routes.on(.post, "/api/v1/releases/{id}/signatures") { request, context, principal in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError(.notFound, "no such proposal") }
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["keyid", "sig"])
            let keyID = try body.text("keyid", maxLength: 128), signature = try body.text("sig", maxLength: 1024)
            let outcome: ReleasePublisher.Outcome
            do {
                outcome = try await services.publisher.sign(proposalID: id, keyID: keyID, signature: signature,
                                                            account: principal!.account.name, now: services.clock.now())
            } catch let error as APIError {
                try await services.audit(principal!.account.name, "release.sign.refused", "proposal \(id)", context.clientAddress,
                                         ["key_id": .string(keyID), "reason": .string(error.message)])
                throw error
            }
            try await services.audit(principal!.account.name, "release.sign", "proposal \(id)", context.clientAddress,
                                     ["key_id": .string(keyID), "signatures": .integer(Int64(outcome.signatures))])
            if outcome.published {
                try await services.audit(principal!.account.name, "release.publish", "proposal \(id)", context.clientAddress,
                                         ["signatures": .integer(Int64(outcome.signatures))])
            }
            return JSONBody.response(["proposal": .integer(id), "signatures": .integer(Int64(outcome.signatures)),
                                      "threshold": .integer(outcome.threshold), "published": .bool(outcome.published)])
        }

        routes.on(.get, "/api/v1/programmes/{version}") { _, context, _ in
            guard let version = context.parameters.get("version").flatMap(Int64.init),
                  let bytes = try await services.store.programme(version: version)
            else { throw APIError(.notFound, "no such programme version") }
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "private, max-age=31536000, immutable"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }

        routes.on(.get, "/api/v1/releases/{id}") { request, context, _ in
            guard let id = context.parameters.get("id").flatMap(Int64.init), let proposal = try await services.store.proposal(id: id) else {
                throw APIError(.notFound, "no such proposal")
            }
            let metadata = try FileRepository(directory: "\(services.config.dataDirectory)/repository").load()
            // ?from=TIME moves the window of per-screen changes (default: now).
            let from = try request.uri.queryParameters["from"].map { text -> Instant in
                guard let instant = Instant(iso8601: String(text)) else { throw APIError(.badRequest, "from: YYYY-MM-DDTHH:MM[:SS] with Z or an offset") }
                return instant
            }
            return JSONBody.response(try await services.describe(proposal, published: metadata.targetsRoles[Targets.type]?.signed,
                                                                 root: metadata.root?.signed,
                                                                 signatures: try await services.store.signatures(proposalID: id), from: from))
        }
    }
}

extension Services {
    /// The proposal, the bytes to sign, who may sign, and the change against the published
    /// release: files added, removed and changed, and per screen what it will show differently in
    /// the coming `diffDays`, with before and after previews at the first change.
    func describe(_ proposal: ReleaseProposal, published: Targets?, root: Root?,
                  signatures: [ReleaseSignature] = [], from: Instant? = nil) async throws -> JSONObject {
        let signed = try JSONParser().parse(proposal.signedBytes)
        let proposed = try Targets(signed: signed)
        var added: [JSONValue] = [], removed: [JSONValue] = [], changed: [JSONValue] = []
        let before = published?.targets ?? TargetTable()
        for (path, file) in proposed.targets {
            if let old = before[path] { if old != file { changed.append(.string(path)) } } else { added.append(.string(path)) }
        }
        for (path, _) in before where proposed.targets[path] == nil { removed.append(.string(path)) }
        let approvers = root?.roles[Targets.type]
        let publishedVersion = published?.targets[ReleaseRoutes.programmeTarget]?.custom?.objectValue?["programme_version"]?.integerValue
        var description: JSONObject = [
            "id": .integer(proposal.id), "state": .string(proposal.state.rawValue),
            "programme_version": .integer(proposal.programmeVersion), "targets_version": .integer(proposal.targetsVersion),
            "created_by": .string(proposal.createdBy), "created_at": .string(proposal.createdAt.iso8601),
            "signed": signed, "signed_sha256": .string(HashAlgorithm.digest("sha256", of: proposal.signedBytes)!),
            "threshold": .integer(approvers?.threshold ?? 0),
            "signatures": .array(signatures.map { .object(["keyid": .string($0.keyID), "account": .string($0.account), "at": .string($0.at.iso8601)]) }),
            "approver_key_ids": .array((approvers?.keyIDs ?? []).map(JSONValue.string)),
            "diff": .object(["added": .array(added), "removed": .array(removed), "changed": .array(changed),
                             "published_targets_version": .integer(published?.version ?? 0),
                             "published_programme_version": publishedVersion.map(JSONValue.integer) ?? .null]),
        ]
        for member in try await programmeChanges(from: publishedVersion, to: proposal.programmeVersion, window: from ?? clock.now()).members {
            description[member.key] = member.value
        }
        return description
    }

    /// What the document changes (`programme_changes`), and each screen's change in the window
    /// (`screens`), with preview links for both sides.
    func programmeChanges(from publishedVersion: Int64?, to proposedVersion: Int64, window from: Instant) async throws -> JSONObject {
        guard let proposedBytes = try await store.programme(version: proposedVersion), let proposed = try? Programme(bytes: proposedBytes) else {
            throw APIError(.conflict, "programme v\(proposedVersion) is gone or does not parse")
        }
        var current: Programme?
        if let publishedVersion, let bytes = try await store.programme(version: publishedVersion) { current = try? Programme(bytes: bytes) }
        let to = from.adding(milliseconds: Int64(config.diffDays) * 86_400_000)
        let screens = ProgrammeDiff.compare(before: current, after: proposed, from: from, to: to).map { diff -> JSONValue in
            var object = diff.json.objectValue!
            let at = diff.firstChange(or: from).iso8601
            func preview(_ version: Int64) -> JSONValue { .string("/api/v1/screens/\(diff.screen)/preview?at=\(at)&programme=\(version)") }
            object["preview_before"] = diff.kind == .added ? .null : publishedVersion.map(preview) ?? .null
            object["preview_after"] = diff.kind == .removed ? .null : preview(proposedVersion)
            return .object(object)
        }
        return ["programme_changes": DocumentChanges(before: current, after: proposed).json,
                "screens": .object(["from": .string(from.iso8601), "to": .string(to.iso8601), "changes": .array(screens)])]
    }
}

extension Services {
    /// The targets of a release: the programme document and every asset it names, each re-hashed
    /// from the stored bytes.
    func releaseTargets(_ draft: ProgrammeDraft) async throws -> TargetTable {
        let programme = try Programme(bytes: draft.document)
        var table = TargetTable()
        table[ReleaseRoutes.programmeTarget] = TargetFile(contents: draft.document, custom: .object(["programme_version": .integer(draft.version)]))
        for hash in programme.assets.keys.sorted() {
            guard AssetFiles.isHash(hash), let bytes = try? Data(contentsOf: URL(fileURLWithPath: assets.path(hash))),
                  HashAlgorithm.digest("sha256", of: Array(bytes)) == hash
            else { throw APIError(.conflict, "asset \(hash) is missing or damaged in the asset store") }
            table["assets/\(hash)"] = TargetFile(contents: Array(bytes))
        }
        return table
    }
}
