import ArgumentParser
import Foundation
import SignetCore
import SignetTUFClient
import SignetTUFRepository

struct RepoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo",
        abstract: "Build, sign and publish a TUF repository in a folder.",
        discussion: """
        Edits are staged as the next version of a role and signed with the private keys given; \
        `repo sign` adds more signatures; `repo publish` admits staged roles that meet their \
        thresholds and signs a new snapshot and timestamp with the online keys.
        """,
        subcommands: [Init.self, AddTargets.self, RemoveTarget.self, Delegate.self, RotateRoot.self, Sign.self,
                      Publish.self, Timestamp.self, Status.self, Serve.self]
    )
}

/// The repository folder argument and the signing keys shared by the editing subcommands.
struct RepoOptions: ParsableArguments {
    @Argument(help: "The repository folder.") var repository: String

    @Option(name: .customLong("sign-key"), help: "A private key to sign the staged change with (repeatable).")
    var signKeys: [String] = []

    var fileRepository: FileRepository { FileRepository(directory: repository) }

    /// Signs `role` with every given key, saves, and reports what is still missing.
    func signAndSave(_ repository: inout RepositoryMetadata, roles: [String]) throws {
        for path in signKeys {
            let key = try KeyFile.loadSigningKey(path)
            for role in roles { try repository.signStaged(role, with: key) }
        }
        try fileRepository.saveStaged(repository)
        reportPending(repository)
    }
}

func reportPending(_ repository: RepositoryMetadata) {
    let pending = repository.pendingSignatures()
    if pending.isEmpty {
        status("staged changes are fully signed; run `signet repo publish` to publish them")
    } else {
        for item in pending { status("waiting for signatures: \(item.reason)") }
    }
}

extension RepoCommand {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a repository: root version 1 with the given keys, and empty targets."
        )

        @OptionGroup var options: RepoOptions
        @Option(name: .customLong("root-key"), help: "A root custodian's key file (repeatable).") var rootKeys: [String] = []
        @Option(name: .customLong("root-threshold")) var rootThreshold: Int64 = 1
        @Option(name: .customLong("targets-key"), help: "An approver's key file (repeatable).") var targetsKeys: [String] = []
        @Option(name: .customLong("targets-threshold")) var targetsThreshold: Int64 = 1
        @Option(name: .customLong("snapshot-key")) var snapshotKeys: [String] = []
        @Option(name: .customLong("timestamp-key")) var timestampKeys: [String] = []
        @Flag(name: .customLong("no-consistent-snapshot"), help: "Publish without version-prefixed file names.")
        var noConsistentSnapshot = false

        func run() async throws {
            let fileRepository = options.fileRepository
            guard !(try fileRepository.load().isPublished) else {
                throw CLIError("\(options.repository) already holds a published repository")
            }
            let now = Clock.now()
            var root = Root(expires: now.adding(seconds: ExpiryPolicy().root), consistentSnapshot: !noConsistentSnapshot)
            let groups = [(Root.type, rootKeys, rootThreshold), (Targets.type, targetsKeys, targetsThreshold),
                          (Snapshot.type, snapshotKeys, 1), (SignetCore.Timestamp.type, timestampKeys, 1)]
            var signers: [SigningKey] = []
            for (role, paths, threshold) in groups {
                guard !paths.isEmpty else { throw ValidationError("give at least one --\(role)-key") }
                guard threshold >= 1, threshold <= paths.count else {
                    throw ValidationError("--\(role)-threshold must be between 1 and the number of \(role) keys")
                }
                for path in paths {
                    let loaded = try KeyFile.load(path)
                    root.addKey(loaded.publicKey, to: role)
                    if role == Root.type, let key = loaded.signingKey { signers.append(key) }
                }
                root.roles[role]?.threshold = threshold
            }
            var repository = RepositoryMetadata.create(root: root, now: now)
            for key in signers { try repository.signStaged(Root.type, with: key) }
            for path in options.signKeys { try repository.signStaged(Targets.type, with: try KeyFile.loadSigningKey(path)) }
            try AtomicFile.createDirectory(options.repository)
            try fileRepository.saveStaged(repository)
            status("created repository \(options.repository): root v1 (\(rootThreshold) of \(rootKeys.count)), targets v1 (\(targetsThreshold) of \(targetsKeys.count))")
            reportPending(repository)
        }
    }

    struct AddTargets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-targets",
            abstract: "Add every file of FOLDER as a target of a role (replacing targets of the same path)."
        )

        @OptionGroup var options: RepoOptions
        @Argument(help: "Folder whose files become targets; paths are relative to it.") var folder: String
        @Option(help: "The targets role to add to.") var role: String = Targets.type
        @Option(help: "A prefix for the target paths, e.g. `astana/`.") var prefix: String = ""
        @Option(help: "A JSON object stored as each target's `custom` field.") var custom: String?

        func run() async throws {
            var repository = try options.fileRepository.load()
            let now = Clock.now()
            var body = try repository.nextTargets(role, now: now)
            let customValue = try custom.map { text throws -> JSONValue in
                let value = try JSONParser().parse(text)
                guard value.objectValue != nil else { throw ValidationError("--custom must be a JSON object") }
                return value
            }
            let files = try FileRepository.files(under: folder)
            for (index, file) in files.enumerated() {
                guard let bytes = try AtomicFile.read(file.path) else { continue }
                let info = TargetFile(contents: bytes, custom: customValue)
                let targetPath = prefix + file.targetPath
                try options.fileRepository.storeTarget(path: targetPath, bytes: bytes, info: info)
                body.targets[targetPath] = info
                if files.count >= 1000, (index + 1) % 1000 == 0 { status("  \(index + 1) of \(files.count) files") }
            }
            try repository.stageTargets(role, body)
            status("staged \(role) v\(body.version) with \(files.count) added target(s), \(body.targets.count) in all")
            try options.signAndSave(&repository, roles: [role])
        }
    }

    struct RemoveTarget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-target", abstract: "Remove a target from a role.")

        @OptionGroup var options: RepoOptions
        @Argument(help: "The target path.") var targetPath: String
        @Option(help: "The targets role.") var role: String = Targets.type

        func run() async throws {
            var repository = try options.fileRepository.load()
            var body = try repository.nextTargets(role, now: Clock.now())
            guard body.targets[targetPath] != nil else { throw CLIError("\(role) has no target \(targetPath)") }
            body.targets[targetPath] = nil
            try repository.stageTargets(role, body)
            status("staged \(role) v\(body.version) without \(targetPath)")
            try options.signAndSave(&repository, roles: [role])
        }
    }

    struct Delegate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delegate target paths from one targets role to a new or existing role."
        )

        @OptionGroup var options: RepoOptions
        @Option(help: "The delegating role.") var from: String = Targets.type
        @Option(name: .customLong("to"), help: "The delegated role's name.") var role: String
        @Option(name: .customLong("key"), help: "A key file of the delegated role (repeatable).") var keys: [String] = []
        @Option(help: "Signatures the delegated role needs.") var threshold: Int64 = 1
        @Option(name: .customLong("path"), help: "A path pattern the role is trusted for (repeatable).") var paths: [String] = []
        @Option(name: .customLong("hash-prefix"), help: "A hashed-bin prefix (repeatable).") var hashPrefixes: [String] = []
        @Flag(help: "Stop the search at this role for the paths it matches.") var terminating = false
        @Option(name: .customLong("role-sign-key"), help: "A private key to sign the new role's first version with.")
        var roleSignKeys: [String] = []

        func run() async throws {
            guard !keys.isEmpty, threshold >= 1, threshold <= keys.count else {
                throw ValidationError("give --key files and a --threshold between 1 and their number")
            }
            guard paths.isEmpty != hashPrefixes.isEmpty else { throw ValidationError("give either --path or --hash-prefix") }
            guard !Root.topLevelRoles.contains(role) else { throw ValidationError("\(role) is a top-level role name") }
            var repository = try options.fileRepository.load()
            let now = Clock.now()
            var delegator = try repository.nextTargets(from, now: now)
            var delegations = delegator.delegations ?? Delegations(roles: [])
            guard delegations.succinctRoles == nil else { throw CLIError("\(from) delegates to hashed bins") }
            var delegated = DelegatedRole(name: role, keyIDs: [], threshold: threshold, terminating: terminating,
                                          paths: paths.isEmpty ? nil : paths,
                                          pathHashPrefixes: hashPrefixes.isEmpty ? nil : hashPrefixes)
            for path in keys {
                let key = try KeyFile.load(path).publicKey
                delegations.keys[key.keyID] = key
                delegated.keys.keyIDs.append(key.keyID)
            }
            var roles = delegations.roles ?? []
            roles.removeAll { $0.name == role }
            roles.append(delegated)
            delegations.roles = roles
            delegator.delegations = delegations
            try repository.stageTargets(from, delegator)
            if repository.targetsRoles[role] == nil, repository.stagedTargets[role] == nil {
                try repository.stageTargets(role, RepositoryMetadata.newTargetsRole(now: now))
                for path in roleSignKeys { try repository.signStaged(role, with: try KeyFile.loadSigningKey(path)) }
            }
            status("staged \(from) v\(delegator.version) delegating \(role) (\(threshold) of \(keys.count))")
            try options.signAndSave(&repository, roles: [from])
        }
    }

    struct RotateRoot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-root",
            abstract: "Stage a new root version with changed keys or thresholds.",
            discussion: "The new root must be signed by a threshold of the old root keys and of the new ones."
        )

        @OptionGroup var options: RepoOptions
        @Option(name: .customLong("add-key"), help: "ROLE=KEYFILE: add a key to a top-level role (repeatable).")
        var addKeys: [String] = []
        @Option(name: .customLong("remove-key"), help: "ROLE=KEYID: remove a key from a role (repeatable).")
        var removeKeys: [String] = []
        @Option(name: .customLong("threshold"), help: "ROLE=N: set a role's threshold (repeatable).")
        var thresholds: [String] = []

        func run() async throws {
            var repository = try options.fileRepository.load()
            guard repository.isPublished else { throw CLIError("publish the first root before rotating it") }
            var root = repository.nextRoot(now: Clock.now())
            for entry in addKeys {
                let (role, path) = try split(entry)
                root.addKey(try KeyFile.load(path).publicKey, to: role)
            }
            for entry in removeKeys {
                let (role, keyID) = try split(entry)
                root.removeKey(keyID, from: role)
            }
            for entry in thresholds {
                let (role, text) = try split(entry)
                guard let threshold = Int64(text), threshold >= 1 else { throw ValidationError("bad threshold in \(entry)") }
                root.roles[role]?.threshold = threshold
            }
            for (role, keys) in root.roles where keys.threshold > keys.keyIDs.count {
                throw ValidationError("\(role) would need \(keys.threshold) signatures but has \(keys.keyIDs.count) keys")
            }
            try repository.stageRoot(root)
            status("staged root v\(root.version)")
            try options.signAndSave(&repository, roles: [Root.type])
        }

        func split(_ entry: String) throws -> (String, String) {
            guard let equals = entry.firstIndex(of: "="),
                  Root.topLevelRoles.contains(String(entry[..<equals]))
            else { throw ValidationError("\(entry) must be ROLE=VALUE with a top-level role") }
            return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add signatures to a staged role.")

        @Argument(help: "The repository folder.") var repository: String
        @Argument(help: "The staged role to sign (root, targets or a delegated role).") var role: String
        @Option(name: .customLong("key"), help: "A private key file (repeatable).") var keys: [String]

        func run() async throws {
            let fileRepository = FileRepository(directory: repository)
            var metadata = try fileRepository.load()
            for path in keys {
                let key = try KeyFile.loadSigningKey(path)
                try metadata.signStaged(role, with: key)
                status("signed staged \(role) with key \(key.keyID.prefix(16))…")
            }
            try fileRepository.saveStaged(metadata)
            reportPending(metadata)
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish the staged roles with a new snapshot and timestamp."
        )

        @Argument(help: "The repository folder.") var repository: String
        @Option(name: .customLong("snapshot-key")) var snapshotKey: String
        @Option(name: .customLong("timestamp-key")) var timestampKey: String

        func run() async throws {
            let fileRepository = FileRepository(directory: repository)
            var metadata = try fileRepository.load()
            let files = try metadata.publish(snapshotKey: try KeyFile.loadSigningKey(snapshotKey),
                                             timestampKey: try KeyFile.loadSigningKey(timestampKey), now: Clock.now())
            try fileRepository.writePublished(files, repository: metadata)
            for file in files { status("wrote metadata/\(file.path)") }
            print("published snapshot v\(metadata.snapshot!.signed.version), timestamp v\(metadata.timestamp!.signed.version)")
        }
    }

    struct Timestamp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-sign the timestamp so it does not expire.")

        @Argument(help: "The repository folder.") var repository: String
        @Option(name: .customLong("timestamp-key")) var timestampKey: String

        func run() async throws {
            let fileRepository = FileRepository(directory: repository)
            var metadata = try fileRepository.load()
            let file = try metadata.refreshTimestamp(timestampKey: try KeyFile.loadSigningKey(timestampKey), now: Clock.now())
            try fileRepository.writePublished([file], repository: metadata)
            print("timestamp v\(metadata.timestamp!.signed.version), expires \(metadata.timestamp!.signed.expires)")
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the repository folder read-only over HTTP until interrupted.",
            discussion: "Clients verify every byte, so any static server works; this one needs nothing installed."
        )

        @Argument(help: "The repository folder.") var repository: String
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port (0 picks a free one).") var port = 8080

        func run() async throws {
            let server = try await StaticFileServer(root: repository, host: host, port: port)
            print("serving \(server.root) at http://\(host):\(server.port)/ (metadata/ and targets/)")
            try await server.waitUntilClosed()
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show published and staged roles.")

        @Argument(help: "The repository folder.") var repository: String

        func run() async throws {
            let metadata = try FileRepository(directory: repository).load()
            if let root = metadata.root {
                print("root       v\(root.signed.version)  expires \(root.signed.expires)")
                for (role, metadata) in metadata.targetsRoles {
                    print("\(role.padding(toLength: 10, withPad: " ", startingAt: 0)) v\(metadata.signed.version)  expires \(metadata.signed.expires)  \(metadata.signed.targets.count) target(s)")
                }
                if let snapshot = metadata.snapshot { print("snapshot   v\(snapshot.signed.version)  expires \(snapshot.signed.expires)") }
                if let timestamp = metadata.timestamp { print("timestamp  v\(timestamp.signed.version)  expires \(timestamp.signed.expires)") }
            } else {
                print("nothing published yet")
            }
            if let root = metadata.stagedRoot { print("staged: root v\(root.signed.version), \(root.signatures.count) signature(s)") }
            for (role, staged) in metadata.stagedTargets {
                print("staged: \(role) v\(staged.signed.version), \(staged.signatures.count) signature(s)")
            }
            reportPending(metadata)
        }
    }
}
