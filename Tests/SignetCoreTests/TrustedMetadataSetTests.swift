import SignetTestSupport
import Testing

@testable import SignetCore

@Suite("Client checks of specification section 5, without I/O")
struct TrustedMetadataSetTests {
    func trustedSet(_ repository: TestRepository, now: TUFTime = TestRepository.start) throws -> TrustedMetadataSet {
        try TrustedMetadataSet(trustedRoot: repository.file("1.root.json"), referenceTime: now)
    }

    func kind(_ body: () throws -> Void) -> TUFError.Kind? {
        do {
            try body()
            return nil
        } catch let error as TUFError {
            return error.kind
        } catch {
            return nil
        }
    }

    @Test func acceptsAFreshRepository() throws {
        var repository = try TestRepository()
        try repository.addTarget("hello.txt", Array("hello".utf8))
        var set = try trustedSet(repository)
        try set.updateTimestamp(repository.file("timestamp.json"))
        try set.updateSnapshot(repository.file("2.snapshot.json"))
        try set.updateTargets(repository.file("2.targets.json"))
        #expect(set.targets?.signed.targets["hello.txt"]?.length == 5)
    }

    @Test func rootMustBeSelfSignedAndChainedOneVersionAtATime() throws {
        var repository = try TestRepository()
        try repository.rotateKey(of: Root.type)
        try repository.rotateKey(of: Root.type)
        var set = try trustedSet(repository)
        #expect(kind { try set.updateRoot(repository.file("3.root.json")) } == .threshold)  // skips v2
        try set.updateRoot(repository.file("2.root.json"))
        #expect(kind { try set.updateRoot(repository.file("2.root.json")) } == .badVersion)  // must be v3 now
        try set.updateRoot(repository.file("3.root.json"))
        #expect(set.root.signed.version == 3)
    }

    @Test func rootSignedOnlyByNewKeysIsRefused() throws {
        var repository = try TestRepository()
        var root = repository.metadata.nextRoot(now: repository.now)
        let newKey = try SigningKey.generate()
        root.removeKey(repository.keys[Root.type]!.keyID, from: Root.type)
        root.addKey(newKey.publicKey, to: Root.type)
        try repository.metadata.stageRoot(root)
        try repository.metadata.signStaged(Root.type, with: newKey)
        let metadata = repository.metadata.stagedRoot!
        var set = try trustedSet(repository)
        #expect(kind { try set.updateRoot(metadata.encoded()) } == .threshold)
        #expect(set.root.signed.version == 1)
    }

    @Test func unsignedInitialRootIsRefused() throws {
        let repository = try TestRepository()
        var root = try Metadata<Root>(bytes: repository.file("1.root.json"))
        root.signatures = []
        #expect(kind { _ = try TrustedMetadataSet(trustedRoot: root.encoded(), referenceTime: TestRepository.start) } == .threshold)
    }

    @Test func timestampRollbackAndEqualVersion() throws {
        var repository = try TestRepository()
        let first = repository.file("timestamp.json")
        try repository.addTarget("a", [1])
        var set = try trustedSet(repository)
        try set.updateTimestamp(repository.file("timestamp.json"))
        var again = try trustedSet(repository)
        try again.updateTimestamp(repository.file("timestamp.json"))
        #expect(kind { try again.updateTimestamp(repository.file("timestamp.json")) } == .equalVersion)
        #expect(kind { try set.updateTimestamp(first) } == .badVersion)
        #expect(set.timestamp?.signed.version == 2)
    }

    @Test func expiredTimestampStaysAsRollbackReferenceButFails() throws {
        let repository = try TestRepository()
        let late = TestRepository.start.adding(seconds: 2 * 86_400)
        var set = try trustedSet(repository, now: late)
        #expect(kind { try set.updateTimestamp(repository.file("timestamp.json")) } == .expired)
        #expect(set.timestamp?.signed.version == 1)
        #expect(kind { try set.updateSnapshot(repository.file("1.snapshot.json")) } == .expired)
    }

    @Test func expiredRootStopsTheUpdate() throws {
        let repository = try TestRepository()
        var set = try trustedSet(repository, now: TestRepository.start.adding(seconds: 400 * 86_400))
        #expect(kind { try set.updateTimestamp(repository.file("timestamp.json")) } == .expired)
        #expect(set.timestamp == nil)
    }

    @Test func snapshotMustMatchWhatTimestampNames() throws {
        var repository = try TestRepository()
        let oldSnapshot = repository.file("1.snapshot.json")
        try repository.addTarget("a", [1])
        var set = try trustedSet(repository)
        try set.updateTimestamp(repository.file("timestamp.json"))
        // Mix and match: a validly signed older snapshot does not match timestamp's length and hashes.
        #expect(kind { try set.updateSnapshot(oldSnapshot) } == .hashMismatch)
        #expect(set.snapshot == nil)
        try set.updateSnapshot(repository.file("2.snapshot.json"))
    }

    /// A snapshot v3 and the timestamp that names it, both validly signed, listing `meta`.
    func forgedSnapshot(_ repository: TestRepository, meta: KeyedTable<MetaFile>) throws -> (timestamp: [UInt8], snapshot: [UInt8]) {
        var snapshot = Metadata(signed: Snapshot(expires: repository.now.adding(seconds: 86_400), meta: meta))
        snapshot.signed.version = 3
        try snapshot.sign(with: repository.keys[Snapshot.type]!)
        let snapshotBytes = snapshot.encoded()
        var timestamp = Metadata(signed: Timestamp(expires: repository.now.adding(seconds: 86_400),
                                                   snapshotMeta: MetaFile(version: 3, length: Int64(snapshotBytes.count),
                                                                          hashes: HashAlgorithm.hashes(of: snapshotBytes))))
        timestamp.signed.version = 3
        try timestamp.sign(with: repository.keys[Timestamp.type]!)
        return (timestamp.encoded(), snapshotBytes)
    }

    @Test func snapshotCannotRollBackOrDropRoles() throws {
        var repository = try TestRepository()
        try repository.addTarget("a", [1])
        for meta: KeyedTable<MetaFile> in [["targets.json": MetaFile(version: 1)], ["other.json": MetaFile(version: 9)]] {
            let forged = try forgedSnapshot(repository, meta: meta)
            var set = try trustedSet(repository)
            try set.updateTimestamp(forged.timestamp)
            // The local snapshot v2 is not the one timestamp names, but it stays as the rollback reference.
            #expect(kind { try set.updateSnapshot(repository.file("2.snapshot.json"), trusted: true) } == .badVersion)
            #expect(kind { try set.updateSnapshot(forged.snapshot) } == .badVersion)
            #expect(set.snapshot?.signed.version == 2)
        }
    }

    @Test func targetsVersionMustMatchSnapshot() throws {
        var repository = try TestRepository()
        try repository.addTarget("a", [1])
        var snapshot = try Metadata<Snapshot>(bytes: repository.file("2.snapshot.json"))
        snapshot.signed.meta["targets.json"] = MetaFile(version: 1)
        try snapshot.sign(with: repository.keys[Snapshot.type]!)
        var timestamp = try Metadata<Timestamp>(bytes: repository.file("timestamp.json"))
        let snapshotBytes = snapshot.encoded()
        timestamp.signed.snapshotMeta = MetaFile(version: 2, length: Int64(snapshotBytes.count),
                                                 hashes: HashAlgorithm.hashes(of: snapshotBytes))
        try timestamp.sign(with: repository.keys[Timestamp.type]!)
        var set = try trustedSet(repository)
        try set.updateTimestamp(timestamp.encoded())
        try set.updateSnapshot(snapshotBytes)
        #expect(kind { try set.updateTargets(repository.file("2.targets.json")) } == .badVersion)
    }

    @Test func delegatedRoleMustBeInSnapshotAndSignedByItsDelegationKeys() throws {
        var repository = try TestRepository()
        try repository.delegate("city-astana", paths: ["astana/*"])
        var set = try trustedSet(repository)
        try set.updateTimestamp(repository.file("timestamp.json"))
        try set.updateSnapshot(repository.file("2.snapshot.json"))
        try set.updateTargets(repository.file("2.targets.json"))
        #expect(kind { try set.updateDelegatedTargets(repository.file("1.city-astana.json"), role: "city-other",
                                                      delegator: Targets.type) } == .missingMetadata)
        try set.updateDelegatedTargets(repository.file("1.city-astana.json"), role: "city-astana", delegator: Targets.type)
        #expect(set.isTrusted("city-astana", delegatedBy: Targets.type))
    }
}
