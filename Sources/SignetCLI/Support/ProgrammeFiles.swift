import Foundation
import SignetCore
import SignetRender
import SignetTUFClient

/// Programmes, assets and fonts as the CLI reads them from disk.
enum ProgrammeFiles {
    static let defaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    static func loadProgramme(_ path: String) throws -> Programme {
        guard let bytes = try AtomicFile.read(path, maxBytes: 8 * 1024 * 1024 + 1) else {
            throw CLIError("programme \(path) does not exist")
        }
        do { return try Programme(bytes: bytes) } catch { throw CLIError("\(path): \(error)") }
    }

    static func engine(_ programme: Programme, screen: String) throws -> ScheduleEngine {
        do { return try ScheduleEngine(programme: programme, screen: screen) } catch {
            throw CLIError("\(error.rule == "no screen named \"\(screen)\"" ? "screen \(screen): not in the programme (it has \(programme.screens.keys.sorted().joined(separator: ", ")))" : error.description)")
        }
    }

    /// `2024-11-27T06:00:00Z`, `2024-11-27T11:00+05:00`, or a wall-clock time on the screen.
    static func instant(_ text: String, on engine: ScheduleEngine, option: String) throws -> Instant {
        guard let parsed = LocalDateTime.parse(text) else {
            throw CLIError("\(option) \(text): not a time (YYYY-MM-DDTHH:MM[:SS], then Z, +HH:MM, or nothing for the screen's own clock)")
        }
        return engine.calendar.instant(parsed)
    }

    static func typeface(_ path: String) throws -> Typeface {
        guard let bytes = try AtomicFile.read(path, maxBytes: 64 * 1024 * 1024) else { throw CLIError("font \(path) does not exist") }
        return try Typeface(name: (path as NSString).lastPathComponent, bytes: bytes)
    }

    /// Asset bytes from a folder: a file named by its sha256 (a content-addressed store), or any
    /// file whose bytes have that hash.
    final class AssetFolder {
        let path: String?
        private var byHash: [String: String]?

        init(_ path: String?) { self.path = path }

        func bytes(_ hash: String) -> [UInt8]? {
            guard let path else { return nil }
            if let bytes = try? AtomicFile.read("\(path)/\(hash)", maxBytes: 512 * 1024 * 1024) { return bytes }
            if byHash == nil {
                var index: [String: String] = [:]
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                    guard let bytes = try? AtomicFile.read("\(path)/\(name)", maxBytes: 512 * 1024 * 1024),
                          let digest = HashAlgorithm.digest("sha256", of: bytes)
                    else { continue }
                    index[digest] = "\(path)/\(name)"
                }
                byHash = index
            }
            return byHash?[hash].flatMap { try? AtomicFile.read($0, maxBytes: 512 * 1024 * 1024) }
        }
    }
}
