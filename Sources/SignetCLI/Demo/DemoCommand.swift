import ArgumentParser
import Foundation
import SignetCore
import SignetRender
import SignetTUFClient
import SignetTUFRepository

/// `signet demo`: the trust core end to end, in a folder, with the attacks it exists to stop.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Publish an approved programme, update a player, and watch forged updates fail."
    )

    @Option(help: "Working folder; deleted and recreated.") var dir: String = "demo"

    func run() async throws {
        let folder = URL(fileURLWithPath: dir).standardizedFileURL.path
        try? FileManager.default.removeItem(atPath: folder)
        let now = Clock.now()
        let content = try DemoProgramme.load()
        let keys = try makeKeys(in: folder)
        var metadata = try publishProgramme(content, in: folder, keys: keys, now: now)
        try await installOnPlayer(content, folder: folder, now: now)
        let approved = try renderFrames(player: "\(folder)/player")

        section("5. Attacks, each on a copy of the repository and of the player")
        let snapshotKey = keys["snapshot"]!, timestampKey = keys["timestamp"]!
        var results: [(String, Bool)] = [("publish with 1 of 3 approvals is refused", true),
                                          ("the player installs the approved programme", true)]
        results.append(await attack("a server holding only the online keys signs a new release", content, folder, now) { repo, _ in
            var forged = try Metadata<Targets>(bytes: try readFile("\(repo)/metadata/targets.json"))
            forged.signed.version += 1
            forged.signed.targets[DemoProgramme.programmePath] = TargetFile(contents: content.forgedProgramme)
            forged.signatures = []
            try forged.sign(with: snapshotKey)
            try publishForged(forged, in: repo, snapshotKey: snapshotKey, timestampKey: timestampKey, now: now)
        })
        results.append(await attack("the programme's bytes are swapped on the mirror", content, folder, now) { repo, player in
            // Same length as the approved file, so only the hash can tell them apart.
            let approved = content.programmeBytes, forged = content.forgedProgramme
            let padded = Array((forged + Array(repeating: UInt8(ascii: " "), count: approved.count)).prefix(approved.count))
            let info = TargetFile(contents: approved)
            try AtomicFile.write(padded, to: "\(repo)/targets/state-visit/\(info.hashes.values[0]).programme.json")
            AtomicFile.remove(Updater.cachePath(for: DemoProgramme.programmePath, in: "\(player)/assets"))
        })
        let originalTimestamp = try readFile("\(folder)/repository/metadata/timestamp.json")
        let newerTimestamp = try metadata.refreshTimestamp(timestampKey: timestampKey, now: now)
        results.append(await attack("an old timestamp is replayed to freeze the player", content, folder, now) { repo, player in
            try AtomicFile.write(newerTimestamp.bytes, to: "\(repo)/metadata/timestamp.json")
            var updater = try Updater(metadataBaseURL: "file://\(repo)/metadata/", metadataDirectory: "\(player)/metadata",
                                      fetcher: FileFetcher(), now: now)
            try await updater.refresh()
            line("  the player now trusts timestamp v\(updater.trusted.timestamp!.signed.version); the attacker serves v1 again")
            try AtomicFile.write(originalTimestamp, to: "\(repo)/metadata/timestamp.json")
        })

        results.append(detectForgedFrame(content, approved: approved, folder: folder))

        section("Summary")
        for (name, passed) in results { line("\(passed ? "PASS" : "FAIL")  \(name)") }
        line("look at: \(folder)/player/frames (what each screen shows), \(folder)/repository (servable by any static web server), \(folder)/keys")
        if results.contains(where: { !$0.1 }) { throw ExitCode(1) }
    }

    func makeKeys(in folder: String) throws -> [String: SigningKey] {
        section("1. Keys: 3 root custodians (2 of 3), 3 approvers (2 of 3), online snapshot and timestamp keys")
        try AtomicFile.createDirectory("\(folder)/keys")
        var keys: [String: SigningKey] = [:]
        for name in ["custodian-1", "custodian-2", "custodian-3", "approver-1", "approver-2", "approver-3", "snapshot", "timestamp"] {
            let key = try SigningKey.generate()
            try KeyFile.writePrivateKey(key, to: "\(folder)/keys/\(name).key")
            keys[name] = key
            line("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) key id \(key.keyID.prefix(16))…  keys/\(name).key (mode 0600)")
        }
        return keys
    }

    func publishProgramme(_ content: DemoProgramme, in folder: String, keys: [String: SigningKey], now: TUFTime) throws -> RepositoryMetadata {
        section("2. Repository: root v1 signed by 2 custodians; the state-visit programme needs 2 approvers")
        var root = Root(expires: now.adding(seconds: ExpiryPolicy().root))
        for index in 1...3 {
            root.addKey(keys["custodian-\(index)"]!.publicKey, to: Root.type)
            root.addKey(keys["approver-\(index)"]!.publicKey, to: Targets.type)
        }
        root.roles[Root.type]?.threshold = 2
        root.roles[Targets.type]?.threshold = 2
        root.addKey(keys["snapshot"]!.publicKey, to: Snapshot.type)
        root.addKey(keys["timestamp"]!.publicKey, to: Timestamp.type)
        let repository = FileRepository(directory: "\(folder)/repository")
        var metadata = RepositoryMetadata.create(root: root, now: now)
        try metadata.signStaged(Root.type, with: keys["custodian-1"]!)
        try metadata.signStaged(Root.type, with: keys["custodian-2"]!)
        var targets = try metadata.nextTargets(Targets.type, now: now)
        for file in content.files {
            let info = TargetFile(contents: file.bytes)
            try repository.storeTarget(path: file.path, bytes: file.bytes, info: info)
            targets.targets[file.path] = info
            line("proposed \(file.path) (\(file.bytes.count) bytes, sha256 \(info.hashes.values[0].prefix(16))…)")
        }
        try metadata.stageTargets(Targets.type, targets)
        try metadata.signStaged(Targets.type, with: keys["approver-1"]!)
        do {
            _ = try metadata.publish(snapshotKey: keys["snapshot"]!, timestampKey: keys["timestamp"]!, now: now)
            throw CLIError("publish with one approval was accepted")
        } catch let error as TUFError {
            line("approver-1 signed; publish refused: \(error)")
        }
        try metadata.signStaged(Targets.type, with: keys["approver-2"]!)
        let files = try metadata.publish(snapshotKey: keys["snapshot"]!, timestampKey: keys["timestamp"]!, now: now)
        try repository.writePublished(files, repository: metadata)
        line("approver-2 signed; published root v1, targets v1, snapshot v1, timestamp v1 in repository/metadata")
        return metadata
    }

    func installOnPlayer(_ content: DemoProgramme, folder: String, now: TUFTime) async throws {
        section("3. A player trusts root v1 and updates (file:// here; HTTP works the same)")
        let player = "\(folder)/player", repository = "\(folder)/repository"
        try AtomicFile.createDirectory("\(player)/metadata")
        try AtomicFile.createDirectory("\(player)/assets")
        try MetadataStore(directory: "\(player)/metadata").persist(Root.type, try readFile("\(repository)/metadata/1.root.json"))
        try await update(content, player: player, repository: repository, now: now)
    }

    /// Renders what every screen of the installed programme shows at the demo's moment, from the
    /// verified files only, into player/frames; returns each screen's fingerprint.
    func renderFrames(player: String) throws -> [String: Fingerprint] {
        section("4. The player renders its screens at \(DemoProgramme.showAt) from the verified files")
        let bytes = try readFile(Updater.cachePath(for: DemoProgramme.programmePath, in: "\(player)/assets"))
        let programme = try Programme(bytes: bytes)
        let renderer = SlideRenderer(typeface: try ProgrammeFiles.typeface(ProgrammeFiles.defaultFont))
        try AtomicFile.createDirectory("\(player)/frames")
        var fingerprints: [String: Fingerprint] = [:]
        for id in programme.screens.keys.sorted() {
            let engine = try ScheduleEngine(programme: programme, screen: id)
            // Assets come from the verified cache only.
            var frames = ScreenFrames(engine: engine, renderer: renderer) { hash in
                try? readFile(Updater.cachePath(for: "assets/\(hash)", in: "\(player)/assets"))
            }
            let (canvas, showing) = try frames.frame(at: DemoProgramme.showAt)
            try AtomicFile.write(try PNGEncoder.encode(canvas), to: "\(player)/frames/\(id).png")
            fingerprints[id] = Fingerprint(of: canvas)
            line("\(id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(showing.slide.map { "slide \($0)" } ?? "black"), \(showing.source), "
                 + "\(DemoProgramme.showAt.local(engine.calendar)) local -> player/frames/\(id).png")
        }
        return fingerprints
    }

    /// A player that renders something else than it verified (compromised, or fed a forged
    /// programme) is caught by the fingerprint of its frame.
    func detectForgedFrame(_ content: DemoProgramme, approved: [String: Fingerprint], folder: String) -> (String, Bool) {
        let name = "a compromised player's frame (the Ukrainian flag) is told apart from the approved one"
        line("- a compromised player renders the forged programme for astana-1")
        do {
            let programme = try Programme(bytes: content.forgedProgramme)
            let assets = ProgrammeFiles.AssetFolder(try SourceTree.locate("Examples/state-visit"))
            var frames = ScreenFrames(engine: try ScheduleEngine(programme: programme, screen: "astana-1"),
                                      renderer: SlideRenderer(typeface: try ProgrammeFiles.typeface(ProgrammeFiles.defaultFont)),
                                      asset: assets.bytes)
            let (canvas, _) = try frames.frame(at: DemoProgramme.showAt)
            try AtomicFile.write(try PNGEncoder.encode(canvas), to: "\(folder)/forged-astana-1.png")
            let distance = Fingerprint(of: canvas).distance(to: approved["astana-1"]!)
            let caught = distance > Fingerprint.threshold
            line("  fingerprint distance to the approved frame: \(distance) (threshold \(Fingerprint.threshold)): \(caught ? "mismatch detected" : "NOT DETECTED")")
            return (name, caught)
        } catch {
            line("  could not render the forged frame: \(error)")
            return (name, false)
        }
    }

    /// Runs an attack against copies of the repository and player; the player must refuse it and
    /// keep the approved programme.
    func attack(_ name: String, _ content: DemoProgramme, _ folder: String, _ now: TUFTime,
                prepare: (_ repository: String, _ player: String) async throws -> Void) async -> (String, Bool)
    {
        line("- \(name)")
        let copy = "\(folder)/attack-\(name.split(separator: " ").prefix(3).joined(separator: "-"))"
        do {
            try FileManager.default.copyItem(atPath: "\(folder)/repository", toPath: "\(copy)/repository".creatingParent())
            try FileManager.default.copyItem(atPath: "\(folder)/player", toPath: "\(copy)/player")
            try await prepare("\(copy)/repository", "\(copy)/player")
            try await update(content, player: "\(copy)/player", repository: "\(copy)/repository", now: now)
            line("  NOT REFUSED: the player accepted it")
            return (name + " is refused", false)
        } catch {
            line("  refused: \(error)")
            let intact = isApprovedOnly(content, player: "\(copy)/player")
            line("  the player holds only approved bytes and targets v1: \(intact ? "yes" : "NO")")
            return (name + " is refused", intact)
        }
    }

    /// Every installed asset is byte for byte an approved file, and the trusted targets are still v1.
    func isApprovedOnly(_ content: DemoProgramme, player: String) -> Bool {
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: "\(player)/assets")) ?? []
        let assetsApproved = installed.allSatisfy { name in
            content.files.contains { file in
                Updater.cachePath(for: file.path, in: "") == "/\(name)"
                    && (try? readFile("\(player)/assets/\(name)")) == file.bytes
            }
        }
        let targets = try? Metadata<Targets>(bytes: readFile("\(player)/metadata/targets.json"))
        return assetsApproved && targets?.signed.version == 1
    }

    func update(_ content: DemoProgramme, player: String, repository: String, now: TUFTime) async throws {
        var updater = try Updater(metadataBaseURL: "file://\(repository)/metadata/", metadataDirectory: "\(player)/metadata",
                                  fetcher: FileFetcher(), now: now)
        do {
            try await install(content.files, with: &updater, player: player, repository: repository)
        } catch {
            try? await updater.flush()
            throw error
        }
        try await updater.flush()
    }

    func install(_ files: [(path: String, bytes: [UInt8])], with updater: inout Updater, player: String,
                 repository: String) async throws
    {
        for file in files {
            guard let info = try await updater.targetInfo(for: file.path) else {
                throw TUFError(.missingMetadata, "\(file.path) is not approved")
            }
            if updater.cachedTarget(file.path, info: info, directory: "\(player)/assets") == nil {
                _ = try await updater.downloadTarget(file.path, info: info, baseURL: "file://\(repository)/targets/",
                                                     directory: "\(player)/assets")
                line("  verified and installed \(file.path)")
            }
        }
    }
}

/// What an attacker who owns the server can publish: any targets file, signed with online keys.
func publishForged(_ targets: Metadata<Targets>, in repository: String, snapshotKey: SigningKey, timestampKey: SigningKey,
                   now: TUFTime) throws
{
    let targetsBytes = targets.encoded()
    var snapshot = try Metadata<Snapshot>(bytes: try readFile("\(repository)/metadata/snapshot.json"))
    snapshot.signed.version += 1
    snapshot.signed.meta["targets.json"] = MetaFile(version: targets.signed.version, length: Int64(targetsBytes.count),
                                                     hashes: HashAlgorithm.hashes(of: targetsBytes))
    snapshot.signatures = []
    try snapshot.sign(with: snapshotKey)
    let snapshotBytes = snapshot.encoded()
    var timestamp = try Metadata<Timestamp>(bytes: try readFile("\(repository)/metadata/timestamp.json"))
    timestamp.signed.version += 1
    timestamp.signed.snapshotMeta = MetaFile(version: snapshot.signed.version, length: Int64(snapshotBytes.count),
                                             hashes: HashAlgorithm.hashes(of: snapshotBytes))
    timestamp.signatures = []
    try timestamp.sign(with: timestampKey)
    try AtomicFile.write(targetsBytes, to: "\(repository)/metadata/\(targets.signed.version).targets.json")
    try AtomicFile.write(snapshotBytes, to: "\(repository)/metadata/\(snapshot.signed.version).snapshot.json")
    try AtomicFile.write(timestamp.encoded(), to: "\(repository)/metadata/timestamp.json")
    line("  forged targets v\(targets.signed.version) (signed with the snapshot key), snapshot and timestamp written")
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let bytes = try AtomicFile.read(path) else { throw TUFError(.storage, "\(path) does not exist") }
    return bytes
}

private extension String {
    /// Creates this path's parent folder and returns the path.
    func creatingParent() throws -> String {
        try AtomicFile.createDirectory(URL(fileURLWithPath: self).deletingLastPathComponent().path)
        return self
    }
}

func section(_ title: String) { print("\n\(title)") }
func line(_ text: String) { print("  \(text)") }
