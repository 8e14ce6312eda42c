import Foundation
import HTTPTypes
import SignetCore
import SignetTUFClient
import SignetTUFRepository

/// The one writer of the TUF repository: it takes approvers' signatures one at a time (holding
/// the repository's lock, which replicas sharing PostgreSQL share too) and publishes a proposal
/// the moment its signatures meet its role's threshold (the root's for the network's targets, the
/// delegation's for a group), so two approvers signing at once cannot publish twice.
actor ReleasePublisher {
    struct Outcome: Sendable {
        let role: String
        let signatures: Int
        let threshold: Int64
        let published: Bool
        /// The role's version that this proposal makes.
        let version: Int64
        /// When published: each metadata file written and its SHA-256 (for the transparency log).
        var metadata: [String: String] = [:]
    }

    let folder: String
    let store: ServerStore
    let assets: AssetFiles
    /// Online metadata expiry: the timestamp is short-lived and re-signed on a schedule.
    let expiry: ExpiryPolicy

    init(folder: String, store: ServerStore, assets: AssetFiles, expiry: ExpiryPolicy) {
        self.folder = folder
        self.store = store
        self.assets = assets
        self.expiry = expiry
    }

    nonisolated var repository: FileRepository { FileRepository(directory: "\(folder)/repository") }

    nonisolated func sign(proposalID: Int64, keyID: String, signature: String, account: String, now: Instant) async throws -> Outcome {
        try await store.database.exclusively(.repository) {
            try await self.signHoldingLock(proposalID: proposalID, keyID: keyID, signature: signature, account: account, now: now)
        }
    }

    private func signHoldingLock(proposalID: Int64, keyID: String, signature: String, account: String, now: Instant) async throws -> Outcome {
        guard let proposal = try await store.proposal(id: proposalID) else { throw APIError(.notFound, "no such proposal") }
        guard proposal.state == .open else {
            throw APIError(.conflict, "proposal \(proposalID) is \(proposal.state.rawValue): sign the newest proposal instead")
        }
        let metadata = try repository.load()
        guard let root = metadata.root?.signed, let top = metadata.targetsRoles[Targets.type]?.signed else {
            throw APIError(.conflict, "the TUF repository is not published")
        }
        let published = metadata.targetsRoles[proposal.role]?.signed.version ?? 0
        guard proposal.targetsVersion == published + 1 else {
            throw APIError(.conflict, "a newer release (\(proposal.role) v\(published)) was published since this proposal")
        }
        // Who may sign: the root's targets keys for the network; the delegation's keys for a group.
        let delegation = proposal.role == Targets.type ? root.delegation(for: Targets.type) : top.delegation(for: proposal.role)
        guard let delegation else { throw APIError(.conflict, "\(proposal.role) is no longer delegated by the published targets") }
        let role = delegation.role
        guard role.keyIDs.contains(keyID), let key = delegation.keys[keyID] else {
            throw APIError(.forbidden, "key \(keyID.prefix(16)) is not an approver key of \(proposal.role)")
        }
        guard let bytes = Hex.decode(signature), key.verify(signature: bytes, message: proposal.signedBytes) else {
            throw APIError(.badRequest, "the signature does not verify over the proposal's signed bytes with key \(keyID.prefix(16))")
        }
        guard try await store.addSignature(proposalID: proposalID, ReleaseSignature(keyID: keyID, signature: signature, account: account, at: now)) else {
            throw APIError(.conflict, "key \(keyID.prefix(16)) signed this proposal already")
        }
        let signatures = try await store.signatures(proposalID: proposalID)
        guard signatures.count >= role.threshold else {
            return Outcome(role: proposal.role, signatures: signatures.count, threshold: role.threshold, published: false,
                           version: proposal.targetsVersion)
        }
        let files = try await publish(proposal, signatures: signatures, metadata: metadata, now: now)
        return Outcome(role: proposal.role, signatures: signatures.count, threshold: role.threshold, published: true,
                       version: proposal.targetsVersion,
                       metadata: Dictionary(uniqueKeysWithValues: files.map { ($0.path, HashAlgorithm.digest("sha256", of: $0.bytes)!) }))
    }

    /// Targets files first, then the metadata (targets, snapshot, timestamp last), each written
    /// atomically: a client never sees metadata naming a file that is not there.
    private func publish(_ proposal: ReleaseProposal, signatures: [ReleaseSignature], metadata: RepositoryMetadata, now: Instant) async throws
        -> [RepositoryFile]
    {
        var metadata = metadata
        let targets = try Targets(signed: try JSONParser().parse(proposal.signedBytes))
        var signed = Metadata(signed: targets)
        guard signed.canonicalSigned == proposal.signedBytes else { throw APIError(.internalServerError, "the proposal does not re-encode exactly") }
        signed.signatures = signatures.map { Signature(keyID: $0.keyID, signature: $0.signature) }
        let programmePath = ReleaseScope.programmePath(group: ReleaseScope.group(ofRole: proposal.role))
        for (path, info) in targets.targets {
            let bytes: [UInt8]
            if path == programmePath {
                var document = proposal.programme
                if document == nil { document = try await store.programme(version: proposal.programmeVersion) }
                guard let document else { throw APIError(.conflict, "programme v\(proposal.programmeVersion) is gone") }
                bytes = document
            } else {
                let hash = String(path.split(separator: "/").last ?? "")
                guard HashAlgorithm.isSHA256Hex(hash) else { throw APIError(.conflict, "\(path) is neither the programme nor an asset") }
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: assets.path(hash))))
            }
            try HashAlgorithm.verify(bytes, against: info.hashes, what: path)
            try repository.storeTarget(path: path, bytes: bytes, info: info)
        }
        try metadata.stageTargets(proposal.role, signed: signed)
        let snapshotKey = try onlineKey("snapshot"), timestampKey = try onlineKey("timestamp")
        let files = try metadata.publish(snapshotKey: snapshotKey, timestampKey: timestampKey, now: now.tufTime, expiry: expiry)
        try repository.writePublished(files, repository: metadata)
        try await store.markPublished(proposalID: proposal.id)
        return files
    }

    /// Re-signs the timestamp over the current snapshot, if anything is published: returns its new
    /// version, or nil when there is nothing to re-sign yet.
    func refreshTimestamp(now: Instant) throws -> Int64? {
        var metadata = try repository.load()
        guard metadata.isPublished else { return nil }
        let file = try metadata.refreshTimestamp(timestampKey: try onlineKey("timestamp"), now: now.tufTime, expiry: expiry)
        try repository.writePublished([file], repository: metadata)
        return metadata.timestamp?.signed.version
    }

    /// The key that signs fleet commands (read for each request, so a rotated file takes effect).
    nonisolated func commandsKey() throws -> SigningKey { try onlineKey("commands") }

    /// The key that signs the log's checkpoints: the published root names it (and the log's
    /// origin, its name); the private half is the server's `keys/log.key`. Read when a checkpoint
    /// is signed (every second while the log grows), so only the root file, not every role.
    nonisolated func logKey() throws -> NoteKey {
        guard let root = try repository.publishedRoot()?.signed else { throw ConfigError("the TUF repository has no root yet: no log key") }
        let named = try NoteKey(logOf: root), key = try onlineKey("log")
        guard key.publicKey == named.publicKey else { throw ConfigError("keys/log.key is not the log key that root v\(root.version) names") }
        return try NoteKey(name: named.name, signingKey: key)
    }

    private nonisolated func onlineKey(_ role: String) throws -> SigningKey {
        try SigningKey(pem: String(decoding: try Data(contentsOf: URL(fileURLWithPath: ServerSetup.onlineKeyPath(role, in: folder))), as: UTF8.self))
    }
}
