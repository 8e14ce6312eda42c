import Foundation
import SignetCore
import SignetTUFClient
import SignetTUFRepository

/// A new server's data folder: the database, the online keys, and a TUF repository whose root
/// names human custodians (root role) and approvers (targets role) whose private keys the server
/// does not keep.
public enum ServerSetup {
    /// A key holder: a public key supplied by its holder, or a key generated here for a trial
    /// (written to `offline/`, to be moved to its holder and deleted from this machine).
    public enum Holder: Sendable {
        case supplied(PublicKey)
        case generate
    }

    public struct Report: Sendable {
        public var lines: [String] = []
        /// Roles still waiting for signatures before the repository can be published.
        public var pending: [String] = []
    }

    public static let onlineRoles = ["snapshot", "timestamp", "commands", "log"]

    /// The transparency log's origin (its checkpoints' first line and its key's name) unless set up otherwise.
    public static let defaultLogOrigin = "signet.local/log"

    /// The private key files the server keeps (mode 0600), by role.
    public static func onlineKeyPath(_ role: String, in folder: String) -> String { "\(folder)/keys/\(role).key" }

    public static func initialise(folder: String, custodians: [Holder], custodianThreshold: Int, approvers: [Holder],
                                  approverThreshold: Int, logOrigin: String = defaultLogOrigin, now: TUFTime) throws -> Report {
        let logSigningKey = try SigningKey.generate(), logKey: NoteKey
        do { logKey = try NoteKey(name: logOrigin, signingKey: logSigningKey) } catch {
            throw ConfigError("log origin \(logOrigin): \(error.description)")
        }
        guard (1...custodians.count).contains(custodianThreshold) else {
            throw ConfigError("custodian threshold \(custodianThreshold) must be from 1 to \(custodians.count)")
        }
        guard (1...approvers.count).contains(approverThreshold) else {
            throw ConfigError("approver threshold \(approverThreshold) must be from 1 to \(approvers.count)")
        }
        var report = Report()
        try FileManager.default.createDirectory(atPath: "\(folder)/keys", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var online: [String: SigningKey] = [:]
        for role in onlineRoles {
            let key = role == "log" ? logSigningKey : try SigningKey.generate()
            try writePrivateKey(key, to: onlineKeyPath(role, in: folder))
            online[role] = key
        }
        report.lines.append("online keys (kept by the server): keys/snapshot.key, keys/timestamp.key, keys/commands.key, keys/log.key")
        report.lines.append("transparency log: \(logKey.verifierKey)")

        func resolve(_ holders: [Holder], name: String) throws -> [(PublicKey, SigningKey?)] {
            try holders.enumerated().map { index, holder in
                switch holder {
                case .supplied(let key):
                    return (key, nil)
                case .generate:
                    try FileManager.default.createDirectory(atPath: "\(folder)/offline", withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])
                    let key = try SigningKey.generate()
                    let path = "\(folder)/offline/\(name)-\(index + 1).key"
                    try writePrivateKey(key, to: path)
                    report.lines.append("generated \(name) key \(index + 1): offline/\(name)-\(index + 1).key (move it to its holder, then delete it here)")
                    return (key.publicKey, key)
                }
            }
        }
        let custodianKeys = try resolve(custodians, name: "custodian")
        let approverKeys = try resolve(approvers, name: "approver")

        var root = Root(expires: now.adding(seconds: ExpiryPolicy().root))
        for (key, _) in custodianKeys { root.addKey(key, to: Root.type) }
        for (key, _) in approverKeys { root.addKey(key, to: Targets.type) }
        root.roles[Root.type]?.threshold = Int64(custodianThreshold)
        root.roles[Targets.type]?.threshold = Int64(approverThreshold)
        root.addKey(online["snapshot"]!.publicKey, to: Snapshot.type)
        root.addKey(online["timestamp"]!.publicKey, to: Timestamp.type)
        // Players accept commands signed by this key only: the root, signed by custodians, names it.
        let commands = online["commands"]!.publicKey
        // The log's checkpoints are signed by this key; its name is the log's origin.
        root.unrecognized["x-signet"] = .object([
            "commands": .object(["keyids": .array([.string(commands.keyID)]), "threshold": 1, "keys": .object([commands.keyID: .object(commands.json)])]),
            "log": logKey.rootEntry,
        ])

        let repository = FileRepository(directory: "\(folder)/repository")
        try FileManager.default.createDirectory(atPath: repository.metadataDirectory, withIntermediateDirectories: true)
        var metadata = RepositoryMetadata.create(root: root, now: now)
        for (_, signer) in custodianKeys { if let signer { try metadata.signStaged(Root.type, with: signer) } }
        try metadata.stageTargets(Targets.type, try metadata.nextTargets(Targets.type, now: now))
        for (_, signer) in approverKeys { if let signer { try metadata.signStaged(Targets.type, with: signer) } }
        let pending = metadata.pendingSignatures()
        if pending.isEmpty {
            let files = try metadata.publish(snapshotKey: online["snapshot"]!, timestampKey: online["timestamp"]!, now: now)
            try repository.writePublished(files, repository: metadata)
            report.lines.append("published the TUF repository (root v1, an empty targets v1, snapshot, timestamp) in repository/")
        } else {
            try repository.saveStaged(metadata)
            report.pending = pending.map { "\($0.role): \($0.reason)" }
            report.lines.append("staged root v1 and targets v1 in repository/staged.json; waiting for signatures:")
            report.lines += report.pending.map { "  \($0)" }
            report.lines.append("each holder signs with: signet repo sign \(folder)/repository ROLE --key THEIR.key; then: "
                                + "signet repo publish \(folder)/repository --snapshot-key \(folder)/keys/snapshot.key "
                                + "--timestamp-key \(folder)/keys/timestamp.key")
        }
        return report
    }

    static func writePrivateKey(_ key: SigningKey, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw ConfigError("\(path) exists; refusing to overwrite a key") }
        try AtomicFile.write(Array(key.pemRepresentation.utf8), to: path, permissions: 0o600)
    }
}
