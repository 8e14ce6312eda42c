/// How one network programme is released in parts: the top-level targets role (the network's
/// approvers) may delegate a screen group to its own approvers, as the targets role
/// `group-NAME` for the paths under `groups/NAME/`. Screens in a delegated group are then released
/// only by that group's approvers, and the top-level release leaves them out.
public enum ReleaseScope {
    public static func roleName(group: String) -> String { "group-\(group)" }

    /// The group a targets role releases, if it is a group role.
    public static func group(ofRole role: String) -> String? {
        role.hasPrefix("group-") && role.count > 6 ? String(role.dropFirst(6)) : nil
    }

    public static func programmePath(group: String?) -> String {
        group.map { "groups/\($0)/programme.json" } ?? "programme.json"
    }

    public static func assetPath(_ sha256: String, group: String?) -> String {
        group.map { "groups/\($0)/assets/\(sha256)" } ?? "assets/\(sha256)"
    }

    /// The delegation a top-level release signs for a group: terminating, so no other role can
    /// speak for the group's paths.
    public static func delegatedRole(group: String, keyIDs: [String], threshold: Int64) -> DelegatedRole {
        DelegatedRole(name: roleName(group: group), keyIDs: keyIDs, threshold: threshold, terminating: true,
                      paths: ["groups/\(group)/programme.json", "groups/\(group)/assets/*"])
    }

    /// Screen ids and group names end up in paths and role names: 1 to 64 lower-case ASCII
    /// letters, digits and `-`, not starting with `-`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.first != UInt8(ascii: "-")
            && name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// The group whose release governs `screen`: the first of its groups that is delegated; nil
    /// when the top-level release does.
    public static func releaseGroup(of screen: Screen, delegated: Set<String>) -> String? {
        screen.groups.first { delegated.contains($0) }
    }

    /// The screens each release governs: nil is the top-level release.
    public static func partition(_ programme: Programme, delegated: Set<String>) -> [String?: Set<String>] {
        var parts: [String?: Set<String>] = [:]
        for screen in programme.screens.values { parts[releaseGroup(of: screen, delegated: delegated), default: []].insert(screen.id) }
        return parts
    }
}

extension Programme {
    /// This programme cut down to `keep`: those screens, the schedule entries that reach them
    /// (naming only kept screens and their groups), and the playlists, slides, assets and policies
    /// they use. Each kept screen's schedule is unchanged, entry order and all.
    public func restricted(to keep: Set<String>) throws(ProgrammeError) -> Programme {
        guard case .object(var document) = document else { throw ProgrammeError("programme", "must be an object") }
        let screens = self.screens.values.filter { keep.contains($0.id) }
        let groups = Set(screens.flatMap(\.groups))
        var keptEntries: [JSONValue] = [], playlistIDs = Set(screens.map(\.defaultPlaylist)), slideIDs = Set(screens.map(\.safeSlide))
        for (index, entry) in schedule.enumerated() where screens.contains(where: { entries(for: $0).contains(entry) }) {
            guard case .object(var object) = document["schedule"]?.arrayValue?[index] else { continue }
            if object["screens"] != nil { object["screens"] = .array(entry.screens.filter(keep.contains).map(JSONValue.string)) }
            if object["groups"] != nil { object["groups"] = .array(entry.groups.filter(groups.contains).map(JSONValue.string)) }
            keptEntries.append(.object(object))
            playlistIDs.insert(entry.playlist)
        }
        for id in playlistIDs { for item in playlists[id]?.items ?? [] { slideIDs.insert(item.slide) } }
        var assetIDs = Set<String>()
        for id in slideIDs {
            for element in slides[id]?.elements ?? [] { if case .image(_, let asset, _) = element { assetIDs.insert(asset) } }
        }
        func keeping(_ section: String, _ ids: Set<String>) -> JSONValue {
            .object(JSONObject((document[section]?.objectValue?.members ?? []).filter { ids.contains($0.key) }.map { (key: $0.key, value: $0.value) }))
        }
        document["screens"] = keeping("screens", keep)
        document["policies"] = keeping("policies", Set(screens.map(\.policy)))
        document["playlists"] = keeping("playlists", playlistIDs)
        document["slides"] = keeping("slides", slideIDs)
        document["assets"] = keeping("assets", assetIDs)
        document["schedule"] = .array(keptEntries)
        let restricted = try Programme(json: .object(document))
        try restricted.validate()
        return restricted
    }
}
