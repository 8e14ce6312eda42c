import Foundation
import SignetCore
import SignetTUFClient

/// The demo's content: the state-visit example (Examples/state-visit), published as TUF targets:
/// the programme document and each asset under `assets/SHA256`.
struct DemoProgramme {
    static let programmePath = "state-visit/programme.json"
    /// The instant the demo shows: just after noon in Astana on the first day of the visit (five
    /// seconds in, so that no screen is mid-fade).
    static let showAt = Instant(iso8601: "2024-11-27T12:00:05+05:00")!

    let files: [(path: String, bytes: [UInt8])]

    var programmeBytes: [UInt8] { files.first { $0.path == Self.programmePath }!.bytes }
    /// The Kazakh flag, the programme's one image asset.
    var flag: [UInt8] { files.first { $0.path != Self.programmePath }!.bytes }

    static func load() throws -> DemoProgramme {
        let folder = try SourceTree.locate("Examples/state-visit")
        let bytes = try readFile("\(folder)/programme.json")
        let programme = try ProgrammeFiles.loadProgramme("\(folder)/programme.json")
        let assets = ProgrammeFiles.AssetFolder(folder)
        var files = [(path: programmePath, bytes: bytes)]
        for hash in programme.assets.keys.sorted() {
            guard let asset = assets.bytes(hash) else { throw CLIError("Examples/state-visit has no file with sha256 \(hash)") }
            files.append(("assets/\(hash)", asset))
        }
        return DemoProgramme(files: files)
    }

    /// What a server holding only the online keys would like screens to show: the Ukrainian flag
    /// where the approved programme has the Russian one.
    var forgedProgramme: [UInt8] {
        let text = String(decoding: programmeBytes, as: UTF8.self)
        return Array(text.replacingOccurrences(of: ##""colours": ["#FFFFFF", "#0039A6", "#D52B1E"]"##,
                                               with: ##""colours": ["#0057B7", "#FFD700"]"##).utf8)
    }
}
