import Foundation

/// Files that ship in the source tree (interop scripts, examples), found from the working folder
/// or from the executable (`.build/debug/signet` is a few folders below the tree).
enum SourceTree {
    static func locate(_ relative: String) throws -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [FileManager.default.currentDirectoryPath]
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.path)
            folder = folder.deletingLastPathComponent()
        }
        for base in candidates where FileManager.default.fileExists(atPath: "\(base)/\(relative)") {
            return "\(base)/\(relative)"
        }
        throw CLIError("cannot find \(relative); run from the Signet source folder")
    }
}
