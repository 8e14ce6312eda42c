import Foundation
import HTTPTypes
import SignetCore
import SignetSystem
import SignetTUFRepository

extension Services {
    /// The proposal, the bytes to sign, who may sign, and the change against the published
    /// release of its role: files added, removed and changed, the programme's sections, and per
    /// screen what it will show differently in the coming `diffDays`, with before and after
    /// previews at the first change.
    func describe(_ proposal: ReleaseProposal, metadata: RepositoryMetadata, signatures: [ReleaseSignature] = [],
                  from: Instant? = nil) async throws -> JSONObject {
        let signed = try JSONParser().parse(proposal.signedBytes)
        let proposed = try Targets(signed: signed)
        let published = metadata.targetsRoles[proposal.role]?.signed
        var added: [JSONValue] = [], removed: [JSONValue] = [], changed: [JSONValue] = []
        let before = published?.targets ?? TargetTable()
        for (path, file) in proposed.targets {
            if let old = before[path] { if old != file { changed.append(.string(path)) } } else { added.append(.string(path)) }
        }
        for (path, _) in before where proposed.targets[path] == nil { removed.append(.string(path)) }
        let approvers = proposal.role == Targets.type ? metadata.root?.signed.roles[Targets.type]
            : metadata.targetsRoles[Targets.type]?.signed.delegation(for: proposal.role)?.role
        let group = ReleaseScope.group(ofRole: proposal.role)
        let programmePath = ReleaseScope.programmePath(group: group)
        let publishedVersion = published?.targets[programmePath]?.custom?.objectValue?["programme_version"]?.integerValue
        var description: JSONObject = [
            "id": .integer(proposal.id), "state": .string(proposal.state.rawValue), "role": .string(proposal.role),
            "group": group.map(JSONValue.string) ?? .null, "programme_path": .string(programmePath),
            "programme_version": .integer(proposal.programmeVersion), "targets_version": .integer(proposal.targetsVersion),
            "created_by": .string(proposal.createdBy), "created_at": .string(proposal.createdAt.iso8601),
            "signed": signed, "signed_sha256": .string(HashAlgorithm.digest("sha256", of: proposal.signedBytes)!),
            "threshold": .integer(approvers?.threshold ?? 0),
            "signatures": .array(signatures.map { .object(["keyid": .string($0.keyID), "account": .string($0.account), "at": .string($0.at.iso8601)]) }),
            "approver_key_ids": .array((approvers?.keyIDs ?? []).map(JSONValue.string)),
            "delegations": .array((proposed.delegations?.roles ?? []).map { $0.jsonValue() }),
            "diff": .object(["added": .array(added), "removed": .array(removed), "changed": .array(changed),
                             "published_targets_version": .integer(published?.version ?? 0),
                             "published_programme_version": publishedVersion.map(JSONValue.integer) ?? .null]),
        ]
        var current: Programme?
        if let info = published?.targets[programmePath],
           let bytes = try? Data(contentsOf: URL(fileURLWithPath: "\(config.dataDirectory)/repository/targets/\(programmePath)")),
           (try? HashAlgorithm.verify(Array(bytes), against: info.hashes, what: programmePath)) != nil {
            current = try? Programme(bytes: Array(bytes))
        }
        guard let bytes = try await proposalProgramme(proposal), let next = try? Programme(bytes: bytes) else {
            throw APIError(.conflict, "the programme of proposal \(proposal.id) is gone or does not parse")
        }
        let start = from ?? clock.now(), end = start.adding(milliseconds: Int64(config.diffDays) * 86_400_000)
        let screens = ProgrammeDiff.compare(before: current, after: next, from: start, to: end).map { diff -> JSONValue in
            var object = diff.json.objectValue!
            let at = diff.firstChange(or: start).iso8601
            func preview(_ version: Int64) -> JSONValue { .string("/api/v1/screens/\(diff.screen)/preview?at=\(at)&programme=\(version)") }
            object["preview_before"] = diff.kind == .added ? .null : publishedVersion.map(preview) ?? .null
            object["preview_after"] = diff.kind == .removed ? .null : preview(proposal.programmeVersion)
            return .object(object)
        }
        description["programme_changes"] = DocumentChanges(before: current, after: next).json
        description["screens"] = .object(["from": .string(start.iso8601), "to": .string(end.iso8601), "changes": .array(screens)])
        return description
    }

    /// The exact programme document a proposal names.
    func proposalProgramme(_ proposal: ReleaseProposal) async throws -> [UInt8]? {
        if let programme = proposal.programme { return programme }
        return try await store.programme(version: proposal.programmeVersion)
    }
}
