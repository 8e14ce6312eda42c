extension Programme {
    /// Checks references between parts, then every screen's policy against what it can show.
    public func validate() throws(ProgrammeError) {
        let knownGroups = Set(screens.values.flatMap(\.groups))
        for id in screens.keys.sorted() {
            let screen = screens[id]!
            guard policies[screen.policy] != nil else {
                throw ProgrammeError("programme.screens.\(id).policy", "no policy named \"\(screen.policy)\"")
            }
            guard playlists[screen.defaultPlaylist] != nil else {
                throw ProgrammeError("programme.screens.\(id).default_playlist", "no playlist named \"\(screen.defaultPlaylist)\"")
            }
            guard slides[screen.safeSlide] != nil else {
                throw ProgrammeError("programme.screens.\(id).safe_slide", "no slide named \"\(screen.safeSlide)\"")
            }
        }
        for id in slides.keys.sorted() {
            for (index, element) in slides[id]!.elements.enumerated() {
                if case .image(_, let asset, _) = element, assets[asset] == nil {
                    throw ProgrammeError("programme.slides.\(id).elements[\(index)].asset", "no asset with sha256 \(asset)")
                }
            }
        }
        for id in playlists.keys.sorted() {
            for (index, item) in playlists[id]!.items.enumerated() where slides[item.slide] == nil {
                throw ProgrammeError("programme.playlists.\(id).items[\(index)].slide", "no slide named \"\(item.slide)\"")
            }
        }
        var entryIDs: Set<String> = []
        for (index, entry) in schedule.enumerated() {
            guard entryIDs.insert(entry.id).inserted else {
                throw ProgrammeError("programme.schedule[\(index)].id", "another entry is already named \"\(entry.id)\"")
            }
            guard playlists[entry.playlist] != nil else {
                throw ProgrammeError("programme.schedule[\(index)].playlist", "no playlist named \"\(entry.playlist)\"")
            }
            for screen in entry.screens where screens[screen] == nil {
                throw ProgrammeError("programme.schedule[\(index)].screens", "no screen named \"\(screen)\"")
            }
            for group in entry.groups where !knownGroups.contains(group) {
                throw ProgrammeError("programme.schedule[\(index)].groups", "no screen is in group \"\(group)\"")
            }
        }
        for id in screens.keys.sorted() { try checkPolicy(of: screens[id]!) }
    }

    /// The schedule entries that can put content on `screen`.
    public func entries(for screen: Screen) -> [ScheduleEntry] {
        schedule.filter { entry in entry.screens.contains(screen.id) || entry.groups.contains { screen.groups.contains($0) } }
    }

    /// Every playlist a screen can show keeps its policy's minimum dwell and allowed transitions.
    func checkPolicy(of screen: Screen) throws(ProgrammeError) {
        let policy = policies[screen.policy]!
        let used = [screen.defaultPlaylist] + entries(for: screen).map(\.playlist)
        for id in Set(used).sorted() {
            let playlist = playlists[id]!
            // Only an error needs the words (this runs for every screen of every programme read).
            var rule: String { "set by policy \(policy.name) for screen \(screen.id)" }
            for (index, item) in playlist.items.enumerated() where item.dwellMilliseconds < policy.minDwellMilliseconds {
                throw ProgrammeError("programme.playlists.\(id).items[\(index)].dwell_ms",
                                     "\(item.dwellMilliseconds) ms is below the minimum dwell of \(policy.minDwellMilliseconds) ms \(rule)")
            }
            guard policy.transitions.contains(playlist.transition.name) else {
                throw ProgrammeError("programme.playlists.\(id).transition", "\(playlist.transition.name) is not among the transitions \(rule)")
            }
            if case .fade(let milliseconds) = playlist.transition, milliseconds > policy.maxFadeMilliseconds {
                throw ProgrammeError("programme.playlists.\(id).transition.ms",
                                     "a \(milliseconds) ms fade exceeds the \(policy.maxFadeMilliseconds) ms maximum \(rule)")
            }
        }
    }
}
