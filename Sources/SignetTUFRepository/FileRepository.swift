import Foundation
import SignetCore
import SignetTUFClient

/// A TUF repository in a folder, servable by any static HTTP server:
///
///     REPO/metadata/   N.root.json, timestamp.json, [V.]snapshot.json, [V.]ROLE.json
///     REPO/targets/    dir/HASH.name (consistent snapshots) and dir/name
///     REPO/staged.json edits and signatures waiting for `publish`
public struct FileRepository: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var metadataDirectory: String { "\(directory)/metadata" }
    public var targetsDirectory: String { "\(directory)/targets" }
    var stagedPath: String { "\(directory)/staged.json" }

    // MARK: Loading

    public func load() throws(TUFError) -> RepositoryMetadata {
        var repository = RepositoryMetadata(root: nil)
        if let rootVersion = try latestRootVersion() {
            let root = try Metadata<Root>(bytes: try read("\(metadataDirectory)/\(rootVersion).root.json"))
            let timestamp = try Metadata<Timestamp>(bytes: try read("\(metadataDirectory)/timestamp.json"))
            let snapshot = try Metadata<Snapshot>(bytes: try read("\(metadataDirectory)/snapshot.json"))
            var roles = KeyedTable<Metadata<Targets>>()
            for (file, _) in snapshot.signed.meta where file.hasSuffix(".json") {
                let role = String(file.dropLast(5))
                let path = "\(metadataDirectory)/\(PercentEncoding.encode(role)).json"
                roles[role] = try Metadata<Targets>(bytes: try read(path), roleName: role)
            }
            repository = RepositoryMetadata(root: root, targetsRoles: roles, snapshot: snapshot, timestamp: timestamp)
        }
        if let staged = try AtomicFile.read(stagedPath) {
            try applyStaged(staged, to: &repository)
        }
        return repository
    }

    /// The newest published root alone (without the other roles, as `load` reads them).
    public func publishedRoot() throws(TUFError) -> Metadata<Root>? {
        guard let version = try latestRootVersion() else { return nil }
        return try Metadata<Root>(bytes: try read("\(metadataDirectory)/\(version).root.json"))
    }

    func latestRootVersion() throws(TUFError) -> Int64? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: metadataDirectory)) ?? []
        return names.compactMap { name -> Int64? in
            guard name.hasSuffix(".root.json") else { return nil }
            return Int64(name.dropLast(".root.json".count))
        }.max()
    }

    func read(_ path: String) throws(TUFError) -> [UInt8] {
        guard let bytes = try AtomicFile.read(path) else { throw TUFError(.storage, "\(path) does not exist") }
        return bytes
    }

    func applyStaged(_ bytes: [UInt8], to repository: inout RepositoryMetadata) throws(TUFError) {
        let value: JSONValue
        do { value = try JSONParser().parse(bytes) } catch { throw TUFError(.malformed, "\(stagedPath): \(error)") }
        guard let object = value.objectValue else { throw TUFError(.malformed, "\(stagedPath) must be an object") }
        var stagedRoot: Metadata<Root>?
        if let root = object["root"] { stagedRoot = try Metadata<Root>(json: root) }
        var stagedTargets = KeyedTable<Metadata<Targets>>()
        if let targets = object["targets"]?.objectValue {
            for (role, metadata) in targets { stagedTargets[role] = try Metadata<Targets>(json: metadata, roleName: role) }
        }
        repository = RepositoryMetadata(root: repository.root, targetsRoles: repository.targetsRoles,
                                        snapshot: repository.snapshot, timestamp: repository.timestamp,
                                        stagedRoot: stagedRoot, stagedTargets: stagedTargets)
    }

    // MARK: Saving

    /// Writes the staged edits (or removes the staging file when nothing is staged).
    public func saveStaged(_ repository: RepositoryMetadata) throws(TUFError) {
        guard repository.stagedRoot != nil || !repository.stagedTargets.isEmpty else {
            AtomicFile.remove(stagedPath)
            return
        }
        var object = JSONObject()
        if let root = repository.stagedRoot { object["root"] = root.jsonValue() }
        object["targets"] = .object(JSONObject(repository.stagedTargets.entries.map { ($0.key, $0.value.jsonValue()) }))
        try AtomicFile.createDirectory(directory)
        try AtomicFile.write(JSONWriter.pretty.encode(.object(object)), to: stagedPath)
    }

    /// Writes published files in the order given (timestamp last), then clears what was staged.
    public func writePublished(_ files: [RepositoryFile], repository: RepositoryMetadata) throws(TUFError) {
        try AtomicFile.createDirectory(metadataDirectory)
        for file in files { try AtomicFile.write(file.bytes, to: "\(metadataDirectory)/\(file.path)") }
        try saveStaged(repository)
    }

    /// Stores a target's bytes as `dir/name` and, for consistent snapshots, `dir/HASH.name` per hash.
    public func storeTarget(path targetPath: String, bytes: [UInt8], info: TargetFile) throws(TUFError) {
        let parts = targetPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw TUFError(.malformed, "target path \"\(targetPath)\" has an empty, '.' or '..' segment")
        }
        let folder = ([targetsDirectory] + parts.dropLast()).joined(separator: "/")
        try AtomicFile.createDirectory(folder)
        let name = parts.last!
        try AtomicFile.write(bytes, to: "\(folder)/\(name)")
        for hash in info.hashes.values { try AtomicFile.write(bytes, to: "\(folder)/\(hash).\(name)") }
    }

    /// Every regular file under `folder`, as (target path relative to the folder, absolute path), sorted.
    public static func files(under folder: String) throws(TUFError) -> [(targetPath: String, path: String)] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw TUFError(.storage, "cannot read folder \(folder)")
        }
        var files: [(String, String)] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = "\(folder)/\(relative)"
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append((relative, path))
            }
        }
        return files.sorted { $0.0.precedesInUTF8($1.0) }
    }
}
