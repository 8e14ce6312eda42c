import Foundation
import Testing

@testable import SignetCore

@Suite("Releasing one programme in parts: delegated screen groups")
struct ReleaseScopeTests {
    /// The state-visit example: two Astana screens (groups astana, roadside) and one in Berlin.
    let programme = try! Programme(bytes: Array(try! Data(contentsOf: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("../../../Examples/state-visit/programme.json").standardized)))

    @Test func screensGoToTheirFirstDelegatedGroup() {
        let parts = ReleaseScope.partition(programme, delegated: ["astana"])
        #expect(parts == ["astana": ["astana-1", "astana-2"], nil: ["berlin-1"]])
        #expect(ReleaseScope.partition(programme, delegated: []) == [nil: ["astana-1", "astana-2", "berlin-1"]])
        // astana-1 is in astana and roadside: the first delegated one in its own list wins.
        #expect(ReleaseScope.releaseGroup(of: programme.screens["astana-1"]!, delegated: ["roadside", "astana"]) == "astana")
        #expect(ReleaseScope.group(ofRole: "group-astana") == "astana" && ReleaseScope.group(ofRole: "targets") == nil)
        #expect(ReleaseScope.programmePath(group: "astana") == "groups/astana/programme.json")
        let role = ReleaseScope.delegatedRole(group: "astana", keyIDs: ["k"], threshold: 1)
        #expect(role.terminating && role.isDelegated(path: "groups/astana/assets/ab12") && !role.isDelegated(path: "groups/berlin/programme.json"))
        #expect(ReleaseScope.isValidName("astana-roadside") && !ReleaseScope.isValidName("../x") && !ReleaseScope.isValidName("Astana"))
    }

    @Test func aRestrictedProgrammeKeepsOnlyWhatItsScreensUseAndShowsTheSame() throws {
        let astana = try programme.restricted(to: ["astana-1", "astana-2"])
        #expect(Set(astana.screens.keys) == ["astana-1", "astana-2"])
        #expect(Set(astana.policies.keys) == ["roadside-kz"] && Set(astana.playlists.keys) == ["city", "visit"])
        #expect(Set(astana.slides.keys) == ["safe", "welcome", "city-news", "city-weather"] && astana.assets.count == 1)
        #expect(astana.schedule.map(\.id) == ["state-visit"])
        for id in ["astana-1", "astana-2"] {
            let whole = try ScheduleEngine(programme: programme, screen: id), part = try ScheduleEngine(programme: astana, screen: id)
            let from = whole.local("2024-11-26T00:00"), to = whole.local("2024-11-30T00:00")
            #expect(whole.timeline(from: from, to: to) == part.timeline(from: from, to: to))
        }
        let berlin = try programme.restricted(to: ["berlin-1"])
        #expect(berlin.schedule.isEmpty && berlin.assets.isEmpty && Set(berlin.playlists.keys) == ["city-fade"])
        #expect(Set(berlin.slides.keys) == ["safe", "city-news", "city-weather"])
        // The restricted document is itself canonical and parses back to the same programme.
        #expect(try Programme(bytes: berlin.canonicalBytes).canonicalBytes == berlin.canonicalBytes)
    }
}
