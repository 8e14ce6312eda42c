import Foundation
import Hummingbird
import NIOCore
import SignetCore
import SignetSystem
import SignetTUFRepository

/// Release proposals: the latest programme (the network's part, or one delegated group's) and its
/// assets as the next version of a targets role, with what changes against the published
/// release. Approvers sign the proposal's `signed` object with their own keys, outside the server.
enum ReleaseRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/releases") { request, context, principal in
            let body = try await JSONBody.object(request, context: context, allowEmpty: true)
            try body.refuseUnknown(["group"])
            let group = body["group"] == nil ? nil : try body.text("group", maxLength: 64)
            if let group, !ReleaseScope.isValidName(group) { throw APIError(.badRequest, "group: lower-case letters, digits and '-'") }
            try services.checkReleaseScope(group: group, account: principal!.account)
            guard let draft = try await services.store.latestProgramme() else { throw APIError(.notFound, "no programme saved yet") }
            let metadata = try services.publishedRepository()
            let plan = try await services.planRelease(draft, group: group, metadata: metadata)
            let signed = Metadata(signed: plan.targets).canonicalSigned
            let proposal = try await services.store.propose(role: plan.role, programmeVersion: draft.version, programme: plan.programme,
                                                            targetsVersion: plan.targets.version, signed: signed,
                                                            by: principal!.account.name, at: services.clock.now())
            try await services.audit(principal!.account.name, "release.propose", "proposal \(proposal.id)", context.clientAddress,
                                     ["role": .string(plan.role), "programme_version": .integer(draft.version),
                                      "targets_version": .integer(plan.targets.version),
                                      "signed_sha256": .string(HashAlgorithm.digest("sha256", of: signed)!)])
            return JSONBody.response(try await services.describe(proposal, metadata: metadata), status: .created)
        }

        routes.on(.get, "/api/v1/releases") { _, _, _ in
            let proposals = try await services.store.proposals()
            return JSONBody.response(["proposals": .array(proposals.map { proposal in
                .object(["id": .integer(proposal.id), "state": .string(proposal.state.rawValue), "role": .string(proposal.role),
                         "programme_version": .integer(proposal.programmeVersion), "targets_version": .integer(proposal.targetsVersion),
                         "created_by": .string(proposal.createdBy), "created_at": .string(proposal.createdAt.iso8601)])
            })])
        }

        routes.on(.post, "/api/v1/releases/{id}/signatures") { request, context, principal in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError(.notFound, "no such proposal") }
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["keyid", "sig"])
            let keyID = try body.text("keyid", maxLength: 128), signature = try body.text("sig", maxLength: 1024)
            if let proposal = try await services.store.proposal(id: id) {
                try services.checkReleaseScope(group: ReleaseScope.group(ofRole: proposal.role), account: principal!.account)
            }
            let outcome: ReleasePublisher.Outcome
            do {
                outcome = try await services.publisher.sign(proposalID: id, keyID: keyID, signature: signature,
                                                            account: principal!.account.name, now: services.clock.now())
            } catch let error as APIError {
                try await services.audit(principal!.account.name, "release.sign.refused", "proposal \(id)", context.clientAddress,
                                         ["key_id": .string(keyID), "reason": .string(error.message)])
                throw error
            }
            // The signature itself goes into the log: anyone can check it against the proposal's bytes.
            try await services.audit(principal!.account.name, "release.sign", "proposal \(id)", context.clientAddress,
                                     ["key_id": .string(keyID), "sig": .string(signature), "signatures": .integer(Int64(outcome.signatures))])
            if outcome.published {
                try await services.audit(principal!.account.name, "release.publish", "proposal \(id)", context.clientAddress,
                                         ["role": .string(outcome.role), "version": .integer(outcome.version),
                                          "signatures": .integer(Int64(outcome.signatures)),
                                          "metadata_sha256": .object(JSONObject(outcome.metadata.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) }))])
                await services.hub.broadcast(.release(role: outcome.role, version: outcome.version))
                await services.replicas.announce(.release(role: outcome.role, version: outcome.version))
            }
            return JSONBody.response(["proposal": .integer(id), "signatures": .integer(Int64(outcome.signatures)),
                                      "threshold": .integer(outcome.threshold), "published": .bool(outcome.published)])
        }

        routes.on(.get, "/api/v1/programmes/{version}") { _, context, _ in
            guard let version = context.parameters.get("version").flatMap(Int64.init),
                  let bytes = try await services.store.programme(version: version)
            else { throw APIError(.notFound, "no such programme version") }
            return exactJSON(bytes)
        }

        routes.on(.get, "/api/v1/releases/{id}") { request, context, _ in
            let proposal = try await services.proposal(context)
            // ?from=TIME moves the window of per-screen changes (default: now).
            let from = try request.uri.queryParameters["from"].map { text -> Instant in
                guard let instant = Instant(iso8601: String(text)) else { throw APIError(.badRequest, "from: YYYY-MM-DDTHH:MM[:SS] with Z or an offset") }
                return instant
            }
            return JSONBody.response(try await services.describe(proposal, metadata: try services.publishedRepository(),
                                                                 signatures: try await services.store.signatures(proposalID: proposal.id),
                                                                 from: from))
        }

        routes.on(.get, "/api/v1/releases/{id}/programme") { _, context, _ in
            let proposal = try await services.proposal(context)
            guard let bytes = try await services.proposalProgramme(proposal) else { throw APIError(.notFound, "the proposal's programme is gone") }
            return exactJSON(bytes)
        }
    }

    /// Stored bytes as they are: what a release names is hashed, so it is never re-encoded.
    static func exactJSON(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "private, max-age=31536000, immutable"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Services {
    func publishedRepository() throws -> RepositoryMetadata {
        let metadata: RepositoryMetadata
        do { metadata = try FileRepository(directory: "\(config.dataDirectory)/repository").load() } catch {
            throw APIError(.conflict, "the TUF repository cannot be read: \(error)")
        }
        guard metadata.isPublished, metadata.targetsRoles[Targets.type] != nil else {
            throw APIError(.conflict, "the TUF repository is not published yet: its custodians must sign root v1 first")
        }
        return metadata
    }

    /// An account limited to screen groups proposes and hands in signatures only for its groups'
    /// own releases, never the network's.
    func checkReleaseScope(group: String?, account: Account) throws {
        guard !account.groups.isEmpty else { return }
        guard let group, account.groups.contains(group) else {
            throw APIError(.forbidden, "an account limited to \(account.groups.joined(separator: ", ")) works only on those groups' releases "
                           + "({\"group\": NAME})")
        }
    }

    func proposal(_ context: AppRequestContext) async throws -> ReleaseProposal {
        guard let id = context.parameters.get("id").flatMap(Int64.init), let proposal = try await store.proposal(id: id) else {
            throw APIError(.notFound, "no such proposal")
        }
        return proposal
    }
}
