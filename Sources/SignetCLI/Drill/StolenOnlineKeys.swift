import Foundation
import SignetCore
import SignetServer
import SignetTUFClient
import SignetTUFRepository

/// What an attacker holding the server and its online keys (snapshot, timestamp) can sign: a new
/// snapshot and timestamp over targets metadata of their choosing, the way the server publishes.
/// The approvers' keys are not among them, so new targets metadata carries no valid approval.
struct StolenOnlineKeys {
    let serverFolder: String
    let snapshotKey: SigningKey
    let timestampKey: SigningKey

    init(serverFolder: String) throws {
        self.serverFolder = serverFolder
        func key(_ role: String) throws -> SigningKey {
            try SigningKey(pem: String(decoding: try readFile(ServerSetup.onlineKeyPath(role, in: serverFolder)), as: UTF8.self))
        }
        snapshotKey = try key("snapshot")
        timestampKey = try key("timestamp")
    }

    var repository: FileRepository { FileRepository(directory: "\(serverFolder)/repository") }

    /// The published targets with the programme replaced by `programme`, one version on, signed
    /// with the snapshot key (the best an attacker has), and a snapshot and timestamp over it.
    func forgedRelease(programme: [UInt8], now: TUFTime) throws -> [String: [UInt8]] {
        let published = try repository.load()
        guard var targets = published.targetsRoles[Targets.type]?.signed else { throw CLIError("nothing is published") }
        targets.version += 1
        let path = ReleaseScope.programmePath(group: nil)
        targets.targets[path] = TargetFile(contents: programme, custom: targets.targets[path]?.custom)
        var forged = Metadata(signed: targets)
        try forged.sign(with: snapshotKey)
        return try sign(targets: forged, over: published, now: now)
    }

    /// A snapshot one version on listing `targets`, and a timestamp one version on over it: the
    /// files a mirror serves, by path.
    func sign(targets: Metadata<Targets>, over published: RepositoryMetadata, now: TUFTime) throws -> [String: [UInt8]] {
        guard let snapshot = published.snapshot?.signed, let timestamp = published.timestamp?.signed else { throw CLIError("nothing is published") }
        let targetsBytes = targets.encoded()
        var meta = snapshot.meta
        meta["targets.json"] = MetaFile(version: targets.signed.version, length: Int64(targetsBytes.count), hashes: HashAlgorithm.hashes(of: targetsBytes))
        var snapshotBody = Snapshot(expires: now.adding(seconds: 86_400), meta: meta)
        snapshotBody.version = snapshot.version + 1
        var newSnapshot = Metadata(signed: snapshotBody)
        try newSnapshot.sign(with: snapshotKey)
        let snapshotBytes = newSnapshot.encoded()
        var timestampBody = Timestamp(expires: now.adding(seconds: 86_400),
                                      snapshotMeta: MetaFile(version: snapshotBody.version, length: Int64(snapshotBytes.count),
                                                             hashes: HashAlgorithm.hashes(of: snapshotBytes)))
        timestampBody.version = timestamp.version + 1
        var newTimestamp = Metadata(signed: timestampBody)
        try newTimestamp.sign(with: timestampKey)
        return ["metadata/\(targets.signed.version).targets.json": targetsBytes,
                "metadata/\(snapshotBody.version).snapshot.json": snapshotBytes,
                "metadata/timestamp.json": newTimestamp.encoded()]
    }
}
