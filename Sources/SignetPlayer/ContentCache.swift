import Foundation
import SignetCore
import SignetRender
import SignetTUFClient

/// The player's verified cache: programme documents and assets stored once by SHA-256 under
/// `objects/`, and one pointer file, `current.json`, naming the programme in use.
///
/// A programme becomes current only when it and every asset it names are in the cache and have
/// been re-hashed, and only by an atomic replacement of the pointer: a power cut at any moment
/// leaves the old programme in use or the new one, never a mix. Objects are checked again
/// whenever they are read, so a file damaged on disk is treated as missing, not shown.
public struct ContentCache: Sendable {
    /// What the pointer names: the programme in use and the release it came from.
    public struct Current: Sendable, Equatable {
        public let programme: String
        public let release: Int64
        public let assets: [String]
        /// The approved fingerprint of each slide on this screen, as the release carries them
        /// (empty for a release without them: its frames cannot be checked).
        public var fingerprints: [String: Fingerprint] = [:]
    }

    public let folder: String
    var objects: String { "\(folder)/objects" }
    var pointer: String { "\(folder)/current.json" }
    static let maxObjectBytes = 512 * 1024 * 1024

    public init(folder: String) throws {
        self.folder = folder
        try AtomicFile.createDirectory(folder, permissions: 0o700)
        try AtomicFile.createDirectory("\(folder)/objects", permissions: 0o700)
    }

    /// The object's bytes if it is in the cache and still hashes to its name.
    public func object(_ sha256: String) -> [UInt8]? {
        guard HashAlgorithm.isSHA256Hex(sha256), let bytes = try? AtomicFile.read("\(objects)/\(sha256)", maxBytes: Self.maxObjectBytes),
              HashAlgorithm.digest("sha256", of: bytes) == sha256
        else { return nil }
        return bytes
    }

    public func contains(_ sha256: String) -> Bool { object(sha256) != nil }

    /// Stores verified bytes under their hash (atomically; storing the same bytes again is harmless).
    @discardableResult
    public func store(_ bytes: [UInt8]) throws -> String {
        let sha256 = HashAlgorithm.digest("sha256", of: bytes)!
        if !contains(sha256) { try AtomicFile.write(bytes, to: "\(objects)/\(sha256)", permissions: 0o600) }
        return sha256
    }

    /// The assets of `programme` that are not in the cache yet: what an update must download.
    public func missing(for programme: Programme) -> [String] {
        programme.assets.keys.sorted().filter { !contains($0) }
    }

    /// Makes the cached programme `sha256` current, after checking that it parses and that every
    /// asset it names is present and intact; otherwise nothing changes.
    public func install(programme sha256: String, release: Int64) throws -> Current {
        guard let bytes = object(sha256) else { throw PlayerError("programme \(sha256.prefix(16)) is not in the cache") }
        let programme: Programme
        do { programme = try Programme(bytes: bytes) } catch { throw PlayerError("programme \(sha256.prefix(16)): \(error)") }
        return try install(programme: sha256, parsed: programme, release: release)
    }

    /// The same, for a programme the caller has just read from the cache and parsed (a large
    /// programme is not parsed twice).
    func install(programme sha256: String, parsed programme: Programme, release: Int64, fingerprints: [String: Fingerprint] = [:]) throws -> Current {
        let absent = missing(for: programme)
        guard absent.isEmpty else { throw PlayerError("programme \(sha256.prefix(16)) needs assets not in the cache: \(absent.joined(separator: ", "))") }
        let current = Current(programme: sha256, release: release, assets: programme.assets.keys.sorted(), fingerprints: fingerprints)
        var slides = JSONObject()
        for (slide, fingerprint) in fingerprints { slides[slide] = .string(fingerprint.description) }
        let document: JSONValue = .object(["programme": .string(sha256), "release": .integer(release),
                                           "assets": .array(current.assets.map(JSONValue.string)), "fingerprints": .object(slides)])
        try AtomicFile.write(JSONWriter.compact.encode(document), to: pointer, permissions: 0o600)
        return current
    }

    /// What the pointer names, without reading the programme (a quick "is this one in use already").
    public func currentPointer() -> Current? {
        guard let bytes = try? AtomicFile.read(pointer, maxBytes: 1 << 20), let object = try? JSONParser().parse(bytes).objectValue,
              let sha256 = object["programme"]?.stringValue, let release = object["release"]?.integerValue,
              let assets = object["assets"]?.arrayValue?.compactMap(\.stringValue)
        else { return nil }
        var fingerprints: [String: Fingerprint] = [:]
        for (slide, text) in object["fingerprints"]?.objectValue ?? [:] {
            if let fingerprint = text.stringValue.flatMap(Fingerprint.init) { fingerprints[slide] = fingerprint }
        }
        return Current(programme: sha256, release: release, assets: assets, fingerprints: fingerprints)
    }

    /// The programme in use, re-verified; nil before the first install, or if its files are damaged.
    public func current() -> (current: Current, programme: Programme)? {
        guard let current = currentPointer(), let document = object(current.programme), let programme = try? Programme(bytes: document),
              current.assets.allSatisfy(contains)
        else { return nil }
        return (current, programme)
    }

    public func objectCount() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: objects).count) ?? 0 }

    /// Bytes held in objects/.
    public func size() -> Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? []
        return names.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: "\(objects)/\(name)")[.size] as? Int64) ?? 0)
        }
    }

    /// When an update last verified the repository: the start of the offline grace period, kept
    /// across restarts so that a player cut off from its server cannot reset it by rebooting.
    public func recordVerified(at instant: Instant) throws {
        try AtomicFile.write(Array(String(instant.millisecondsSince1970).utf8), to: "\(folder)/verified", permissions: 0o600)
    }

    public func lastVerified() -> Instant? {
        guard let bytes = try? AtomicFile.read("\(folder)/verified", maxBytes: 64),
              let milliseconds = Int64(String(decoding: bytes, as: UTF8.self))
        else { return nil }
        return Instant(millisecondsSince1970: milliseconds)
    }

    /// Removes every object that neither the current programme nor `keep` needs; returns how many.
    @discardableResult
    public func evict(keeping keep: Set<String> = []) throws -> Int {
        var needed = keep
        if let (current, _) = current() { needed.insert(current.programme); needed.formUnion(current.assets) }
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? [] where !needed.contains(name) {
            try FileManager.default.removeItem(atPath: "\(objects)/\(name)")
            removed += 1
        }
        return removed
    }
}

public struct PlayerError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
