import Foundation
import HTTPTypes
import SignetCore
import SignetRender
import SignetSystem
import SignetTUFRepository

/// The next version of one targets role, and the programme document it names.
struct ReleasePlan {
    let role: String
    let group: String?
    let targets: Targets
    let programme: [UInt8]
}

extension Services {
    /// Plans the next release of the network (`group` nil) or of one delegated group from the latest
    /// programme. A network release delegates every group that has registered approvers and leaves
    /// those groups' screens out; a group release holds only that group's screens.
    func planRelease(_ draft: ProgrammeDraft, group: String?, metadata: RepositoryMetadata) async throws -> ReleasePlan {
        let programme: Programme
        do { programme = try Programme(bytes: draft.document) } catch { throw APIError(.conflict, "programme v\(draft.version): \(error)") }
        guard let top = metadata.targetsRoles[Targets.type]?.signed else { throw APIError(.conflict, "the TUF repository is not published") }
        let expires = clock.now().tufTime.adding(seconds: ExpiryPolicy().targets)
        let document: [UInt8]
        var targets: Targets
        if let group {
            let role = ReleaseScope.roleName(group: group)
            guard top.delegation(for: role) != nil else {
                throw APIError(.conflict, "group \(group) is not delegated: register its approvers (PUT /api/v1/groups/\(group)/approvers), "
                               + "then the network's approvers must publish a release that delegates it")
            }
            let delegated = Set(top.delegations?.roles?.compactMap { ReleaseScope.group(ofRole: $0.name) } ?? [])
            let screens = ReleaseScope.partition(programme, delegated: delegated)[group] ?? []
            guard !screens.isEmpty else { throw APIError(.conflict, "no screen of programme v\(draft.version) is released by group \(group)") }
            document = try restrict(programme, to: screens)
            targets = metadata.targetsRoles[role]?.signed ?? Targets(expires: expires)
            if metadata.targetsRoles[role] != nil { targets.version += 1 }
        } else {
            let groups = try await store.groupApprovers()
            targets = top
            targets.version += 1
            if groups.isEmpty {
                document = draft.document
                targets.delegations = nil
            } else {
                document = try restrict(programme, to: ReleaseScope.partition(programme, delegated: Set(groups.map(\.group)))[nil] ?? [])
                var keys = KeyTable()
                for group in groups { for key in group.keys { keys[key.keyID] = key } }
                targets.delegations = Delegations(keys: keys, roles: groups.map(\.delegatedRole))
            }
        }
        targets.expires = expires
        targets.targets = try releaseTargets(document, programmeVersion: draft.version, group: group)
        return ReleasePlan(role: group.map(ReleaseScope.roleName) ?? Targets.type, group: group, targets: targets, programme: document)
    }

    private func restrict(_ programme: Programme, to screens: Set<String>) throws -> [UInt8] {
        do { return try programme.restricted(to: screens).canonicalBytes } catch {
            throw APIError(.conflict, "the programme cannot be split by group: \(error)")
        }
    }

    /// The targets of a release: the programme document and every asset it names, each re-hashed
    /// from the stored bytes. The programme's custom metadata carries the fingerprint of every
    /// slide at every screen size (`frames`), which each approver's `signet approve` renders again
    /// and checks before signing, and which players check their frames against.
    func releaseTargets(_ document: [UInt8], programmeVersion: Int64, group: String?) throws -> TargetTable {
        let programme = try Programme(bytes: document)
        var table = TargetTable()
        var files: [String: [UInt8]] = [:]
        for hash in programme.assets.keys.sorted() {
            guard HashAlgorithm.isSHA256Hex(hash), let bytes = try? Data(contentsOf: URL(fileURLWithPath: assets.path(hash))),
                  HashAlgorithm.digest("sha256", of: Array(bytes)) == hash
            else { throw APIError(.conflict, "asset \(hash) is missing or damaged in the asset store") }
            files[hash] = Array(bytes)
            table[ReleaseScope.assetPath(hash, group: group)] = TargetFile(contents: Array(bytes))
        }
        guard let typeface else { throw APIError(.serviceUnavailable, "the renderer's font could not be loaded: a release needs its frames' fingerprints") }
        let frames: ApprovedFrames
        do { frames = try ApprovedFrames.compute(programme, renderer: SlideRenderer(typeface: typeface)) { files[$0] } } catch {
            throw APIError(.conflict, "programme v\(programmeVersion) cannot be rendered: \(error)")
        }
        var custom: JSONObject = ["programme_version": .integer(programmeVersion), "frames": frames.json]
        if let group { custom["group"] = .string(group) }
        table[ReleaseScope.programmePath(group: group)] = TargetFile(contents: document, custom: .object(custom))
        return table
    }
}
