import Foundation
import Logging
import SignetCore
import SignetTestSupport
import Testing

@testable import SignetServer

/// The store on both engines: every query the server makes, with the same answers from SQLite
/// and PostgreSQL.
@Suite("the store on SQLite and PostgreSQL")
struct StoreTests {
    static let now = Instant(millisecondsSince1970: 1_764_000_000_000)
    static func later(_ seconds: Int64) -> Instant { Instant(millisecondsSince1970: now.millisecondsSince1970 + seconds * 1000) }

    @Test("accounts, logins, sessions, API tokens and TOTP steps", arguments: TestEngine.allCases)
    func accountsAndSessions(engine: TestEngine) async throws {
        let store = try await engine.store()
        let berlin = try #require(try await store.createAccount(name: "berlin", role: .operator, passwordHash: "hash-1", mustChangePassword: true,
                                                                groups: ["mitte", "berlin"], at: Self.now))
        #expect(berlin.groups == ["berlin", "mitte"])
        #expect(try await store.createAccount(name: "berlin", role: .admin, passwordHash: "x", mustChangePassword: false, at: Self.now) == nil)
        _ = try await store.createAccount(name: "Astana", role: .viewer, passwordHash: "hash-2", mustChangePassword: false, at: Self.now)
        // Byte order, as SQLite compares: upper case first.
        #expect(try await store.accounts().map(\.name) == ["Astana", "berlin"])
        #expect(try await store.account(id: berlin.id) == berlin)
        #expect(try await store.accountCount() == 2)

        #expect(try await store.recordFailedLogin(accountID: berlin.id, limit: 3, lockUntil: 99) == false)
        #expect(try await store.recordFailedLogin(accountID: berlin.id, limit: 3, lockUntil: 99) == false)
        #expect(try await store.recordFailedLogin(accountID: berlin.id, limit: 3, lockUntil: 99) == true)
        var credentials = try #require(try await store.credentials(name: "berlin"))
        #expect(credentials.lockedUntil == 99 && credentials.failedLogins == 0 && credentials.passwordHash == "hash-1")
        try await store.recordSuccessfulLogin(accountID: berlin.id)
        try await store.setPassword(accountID: berlin.id, hash: "hash-3")
        credentials = try #require(try await store.credentials(name: "berlin"))
        #expect(credentials.lockedUntil == nil && credentials.passwordHash == "hash-3" && !credentials.account.mustChangePassword)

        try await store.createSession(tokenHash: "s1", csrfToken: "c1", accountID: berlin.id, now: Self.now, expires: Self.later(60), address: "10.0.0.1")
        try await store.createSession(tokenHash: "s2", csrfToken: "c2", accountID: berlin.id, now: Self.now, expires: Self.later(60), address: "10.0.0.1")
        #expect(try await store.session(tokenHash: "s1", now: Self.later(30))?.credential == .session(csrfToken: "c1"))
        #expect(try await store.session(tokenHash: "s1", now: Self.later(61)) == nil)
        try await store.deleteSessions(accountID: berlin.id, except: "s2")
        #expect(try await store.session(tokenHash: "s1", now: Self.now) == nil)
        #expect(try await store.session(tokenHash: "s2", now: Self.now)?.account.name == "berlin")
        try await store.deleteSessions(accountID: berlin.id, except: nil)
        #expect(try await store.session(tokenHash: "s2", now: Self.now) == nil)

        let token = try await store.createAccountWithAPIToken(name: "bench", role: .admin, passwordHash: "x", label: "bench", at: Self.now)
        #expect(try await store.apiToken(tokenHash: Secrets.hash(token))?.account.role == .admin)
        await #expect(throws: StoreError.self) {
            try await store.createAccountWithAPIToken(name: "bench", role: .admin, passwordHash: "x", label: "again", at: Self.now)
        }

        try await store.setPendingTOTP(accountID: berlin.id, secret: "PENDING")
        #expect(try await store.pendingTOTP(accountID: berlin.id) == "PENDING")
        try await store.activateTOTP(accountID: berlin.id, secret: "PENDING", step: 10)
        #expect(try await store.pendingTOTP(accountID: berlin.id) == nil)
        #expect(try await store.useTOTPStep(accountID: berlin.id, step: 10) == false)
        #expect(try await store.useTOTPStep(accountID: berlin.id, step: 11) == true)
        #expect(try await store.account(id: berlin.id)?.hasTOTP == true)
    }

    @Test("screens, groups and enrollment", arguments: TestEngine.allCases)
    func screensAndEnrollment(engine: TestEngine) async throws {
        let store = try await engine.store()
        try await store.createScreen(id: "b-2", name: "Ring road", width: 960, height: 480, timeZone: "Asia/Almaty", groups: ["roadside", "astana"],
                                     at: Self.now)
        try await store.createScreen(id: "a-1", name: "Façade", width: 1920, height: 1080, timeZone: "Europe/Berlin", groups: [], at: Self.now)
        #expect(try await store.screens().map(\.id) == ["a-1", "b-2"])
        #expect(try await store.screen(id: "b-2")?.groups == ["astana", "roadside"])
        #expect(try await store.screen(id: "a-1")?.name == "Façade")
        #expect(try await store.screenGroups().map(\.id) == ["a-1", "b-2"])
        #expect(try await store.screenExists("b-2"))
        #expect(try await store.screenExists("c-3") == false)

        let first = try SigningKey.generate().publicKey, second = try SigningKey.generate().publicKey
        try await store.createEnrollment(tokenHash: "t1", screenID: "b-2", createdBy: "admin", expires: Self.later(600))
        #expect(try await store.enroll(tokenHash: "t1", key: first, now: Self.later(1), address: "10.0.0.2")?.screen == "b-2")
        #expect(try await store.enroll(tokenHash: "t1", key: first, now: Self.later(2), address: "10.0.0.2") == nil, "a spent token")
        try await store.createEnrollment(tokenHash: "t2", screenID: "b-2", createdBy: "admin", expires: Self.later(600))
        #expect(try await store.enroll(tokenHash: "t2", key: second, now: Self.later(601), address: "10.0.0.2") == nil, "an expired token")
        try await store.createEnrollment(tokenHash: "t3", screenID: "b-2", createdBy: "admin", expires: Self.later(600))
        let again = try #require(try await store.enroll(tokenHash: "t3", key: second, now: Self.later(3), address: "10.0.0.2"))
        #expect(again.replaced == first.keyID)
        #expect(try await store.deviceKey(screen: "b-2") == second)
        #expect(try await store.screen(id: "b-2")?.deviceKeyID == second.keyID)
    }

    @Test("proofs of play written together: each batch extends its chain or is refused on its own", arguments: TestEngine.allCases)
    func playBatchesTogether(engine: TestEngine) async throws {
        let store = try await engine.store()
        for id in ["s-1", "s-2"] {
            try await store.createScreen(id: id, name: id, width: 960, height: 480, timeZone: "UTC", groups: [], at: Self.now)
        }
        let key = try SigningKey.generate()
        func submission(_ records: [PlayRecord], _ screen: String) throws -> PlaySubmission {
            let signed = try PlayBatch.sign(records, screen: screen, key: key)
            return PlaySubmission(batch: try PlayBatch(bytes: signed, key: key.publicKey, screen: screen), signed: signed, key: key.publicKey,
                                  address: "10.0.0.9", at: Self.now)
        }
        let first = playChain(3, screen: "s-1")
        let second = playChain(2, screen: "s-1", after: PlayChainHead(sequence: 3, hash: first[2].hash))
        let other = playChain(2, screen: "s-2")
        let results = try await store.storePlays([
            try submission(first, "s-1"),
            try submission(second, "s-1"),  // extends the first, in the same transaction
            try submission(Array(other[1...]), "s-2"),  // a gap: refused, the others kept
            try submission(other, "s-2"),
            try submission(first, "s-1"),  // sent again: nothing new
        ])
        let head = PlayChainHead(sequence: 5, hash: second[1].hash)
        #expect(try results[0].get() == StoredPlays(added: 3, head: PlayChainHead(sequence: 3, hash: first[2].hash)))
        #expect(try results[1].get() == StoredPlays(added: 2, head: head))
        #expect(throws: PlayProofError.self) { try results[2].get() }
        #expect(try results[3].get() == StoredPlays(added: 2, head: PlayChainHead(sequence: 2, hash: other[1].hash)))
        #expect(try results[4].get() == StoredPlays(added: 0, head: head))
        #expect(try await store.playRecordCount() == 7)
        #expect(try await store.plays(screen: "s-1", from: 0, to: Int64.max, limit: 10).map(\.record) == first + second)
        // Each stored batch is a log entry, in order, named by its row.
        let logged = try await store.database.read { db in
            try db.fetchAll(sql: "SELECT b.screen_id, b.log_index, e.action FROM play_batch b JOIN audit_event e ON e.log_index = b.log_index ORDER BY b.id")
        }
        #expect(logged.map { $0["screen_id"] as String } == ["s-1", "s-1", "s-2"])
        #expect(logged.map { $0["action"] as String } == ["play.batch", "play.batch", "play.batch"])
        let indices: [Int64] = logged.map { $0["log_index"] }
        #expect(indices == Array(indices[0]..<indices[0] + 3))
    }

    @Test("a batch the database refuses fails only its own sender, not the others written with it", arguments: TestEngine.allCases)
    func playQueueIsolatesARefusedBatch(engine: TestEngine) async throws {
        let store = try await engine.store()
        try await store.createScreen(id: "s-1", name: "s-1", width: 960, height: 480, timeZone: "UTC", groups: [], at: Self.now)
        let key = try SigningKey.generate()
        func submission(_ screen: String) throws -> PlaySubmission {
            let signed = try PlayBatch.sign(playChain(2, screen: screen), screen: screen, key: key)
            return PlaySubmission(batch: try PlayBatch(bytes: signed, key: key.publicKey, screen: screen), signed: signed, key: key.publicKey,
                                  address: "10.0.0.9", at: Self.now)
        }
        let queue = PlayQueue()
        // "gone" has no screen row (deleted after its device's request was let in): its rows break a foreign key.
        let good = Task { try await queue.submit(try submission("s-1")) }
        let gone = Task { try await queue.submit(try submission("gone")) }
        while queue.waitingCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
        await queue.write(to: store, logger: Logger(label: "test"))
        #expect(try await good.value.get().added == 2)
        await #expect(throws: (any Error).self) { try await gone.value }
        #expect(try await store.playRecordCount() == 2)
    }

    @Test("commands: numbered per screen, a signed fan-out's documents, acknowledgements and late refusals", arguments: TestEngine.allCases)
    func commands(engine: TestEngine) async throws {
        let store = try await engine.store()
        for id in ["s-1", "s-2", "s-3"] {
            try await store.createScreen(id: id, name: id, width: 64, height: 32, timeZone: "UTC", groups: [], at: Self.now)
        }
        let single = try await store.issueCommands(screens: ["s-2"], by: "operator", at: Self.now, expires: Self.later(300)) { screen, sequence, id in
            ("blank", Array("\(screen) \(sequence) \(id)".utf8))
        }
        #expect(single.map(\.sequence) == [1])

        let key = try SigningKey.generate()
        let reserved = try await store.reserveCommands(screens: ["s-3", "s-1", "s-2"], action: "safe", by: "operator", at: Self.now,
                                                       expires: Self.later(300))
        #expect(reserved.map(\.screen) == ["s-3", "s-1", "s-2"])
        #expect(reserved.map(\.sequence) == [1, 1, 2])
        #expect(reserved.map(\.id) == Array(reserved[0].id..<reserved[0].id + 3), "consecutive ids")
        #expect(try await store.pendingCommands(screen: "s-1", now: Self.now).isEmpty, "not offered before the batch is stored")
        let batch = try SignedCommandBatch(reserved.map {
            Command(action: .safe, screen: $0.screen, sequence: $0.sequence, id: $0.id, issuedBy: "operator", expires: Self.later(300).tufTime)
        }, key: key)
        try await store.storeBatch(batch, firstID: reserved[0].id)

        // A restarted server (no batch in memory) makes each screen's document again from the stored batch.
        let restarted = try await ServerStore(reopening: store)
        for (index, reservation) in reserved.enumerated() {
            let pending = try await restarted.pendingCommands(screen: reservation.screen, now: Self.now)
            #expect(pending.last?.signed == batch.document(at: index))
        }
        #expect(try await store.pendingCommands(screen: "s-2", now: Self.now).map(\.sequence) == [1, 2])
        #expect(try await store.pendingCommands(screen: "s-2", now: Self.later(301)).isEmpty, "expired")

        let acknowledgements = [
            ReceivedAcknowledgement(acknowledgement: Acknowledgement(command: reserved[0].id, result: .done), screen: "s-3", address: "a", at: Self.later(1)),
            ReceivedAcknowledgement(acknowledgement: Acknowledgement(command: reserved[1].id, result: .refused("command refused: it expired")),
                                    screen: "s-1", address: "b", at: Self.later(1)),
            // Another screen's command: ignored.
            ReceivedAcknowledgement(acknowledgement: Acknowledgement(command: reserved[2].id, result: .done), screen: "s-1", address: "b", at: Self.later(1)),
        ]
        #expect(try await store.acknowledge(acknowledgements) == (2, 2))
        #expect(try await store.acknowledge(acknowledgements) == (0, 0), "acknowledged already; the same refusal again is no event")
        let replay = ReceivedAcknowledgement(acknowledgement: Acknowledgement(command: reserved[0].id, result: .refused("command refused: replayed")),
                                             screen: "s-3", address: "a", at: Self.later(2))
        #expect(try await store.acknowledge([replay]) == (1, 1))
        #expect(try await store.latestAlerts(limit: 5).map(\.action) == ["alert.command.refused"])
        #expect(try await store.acknowledge(command: single[0].id, screen: "s-2", result: "done", at: Self.later(3)))
        #expect(try await store.acknowledge(command: single[0].id, screen: "s-2", result: "done", at: Self.later(3)) == false)

        let records = try await store.commandRecords(ids: reserved.map(\.id))
        #expect(records.map(\.result) == ["done", "refused: command refused: it expired", nil])
        #expect(try await store.latestCommandRecords(screen: "s-2", limit: 1).map(\.id) == [reserved[2].id])
        #expect(try await store.commands(ids: [reserved[1].id]).first?.signed == batch.document(at: 1))
    }

    @Test("the transparency log: entries, tile hashes, proofs and checkpoints", arguments: TestEngine.allCases)
    func transparencyLog(engine: TestEngine) async throws {
        let store = try await engine.store()
        let events = (0..<600).map { index in
            LoggedEvent(at: Self.later(Int64(index)), actor: "device s-\(index % 7)", action: index % 100 == 0 ? "alert.display.render_mismatch" : "play.proof",
                        subject: "screen s-\(index % 7)", address: "10.0.0.\(index % 250)", detail: ["n": .integer(Int64(index))])
        }
        for start in stride(from: 0, to: events.count, by: 150) { try await store.audit(Array(events[start..<start + 150])) }
        #expect(try await store.logSize() == 600)
        let leaves = events.map { MerkleHash.leaf($0.entry) }
        let tree = MerkleTree(leafHashes: leaves)
        #expect(try await store.logRoot(size: 600) == tree.root)
        #expect(try await store.logRoot(size: 601) == nil)
        let proof = try #require(try await store.logInclusionProof(index: 300, size: 600))
        #expect(MerkleTree.verifyInclusion(leafHash: leaves[300], index: 300, size: 600, proof: proof, root: tree.root))
        let consistency = try #require(try await store.logConsistencyProof(from: 256, to: 600))
        #expect(ConsistencyProof.verify(first: 256, second: 600, firstRoot: MerkleTree(leafHashes: Array(leaves[0..<256])).root, secondRoot: tree.root,
                                        proof: consistency))
        #expect(try await store.logTile(level: 1, index: 0, width: 2) == MerkleTree(leafHashes: Array(leaves[0..<256])).root
                    + MerkleTree(leafHashes: Array(leaves[256..<512])).root)
        #expect(try await store.logEntryBundle(index: 2, width: 88) == EntryBundle.encode(events[512..<600].map(\.entry)))
        #expect(try await store.logEntries(from: 598, count: 5).map(\.index) == [598, 599])

        let first = try await store.checkpoint(at: Self.now) { size, root in "size \(size) \(root == tree.root)" }
        #expect(first.note == "size 600 true")
        let same = try await store.checkpoint(at: Self.now) { _, _ in Issue.record("signed again without growth"); return "" }
        #expect(same.size == 600)
        #expect(try await store.latestCheckpoint()?.note == "size 600 true")

        #expect(try await store.latestAlerts(limit: 10).map(\.logIndex) == [500, 400, 300, 200, 100, 0])
        #expect(try await store.auditEvents(after: 0, limit: 3).map(\.detail) == [#"{"n":0}"#, #"{"n":1}"#, #"{"n":2}"#])
        #expect(try await store.latestAuditEvents(limit: 1).first?.subject == "screen s-\(599 % 7)")
    }

    @Test("releases, signatures, programmes, group approvers, assets and device statuses", arguments: TestEngine.allCases)
    func releasesAndContent(engine: TestEngine) async throws {
        let store = try await engine.store()
        #expect(try await store.saveProgramme(Array("v1".utf8), expectedVersion: 0, by: "editor", at: Self.now) == 1)
        #expect(try await store.saveProgramme(Array("v2".utf8), expectedVersion: 0, by: "editor", at: Self.now) == nil, "someone saved first")
        #expect(try await store.saveProgramme(Array("v2".utf8), expectedVersion: 1, by: "editor", at: Self.now) == 2)
        #expect(try await store.latestProgramme()?.document == Array("v2".utf8))

        let one = try await store.propose(role: "targets", programmeVersion: 1, programme: [1], targetsVersion: 2, signed: [2], by: "editor", at: Self.now)
        let two = try await store.propose(role: "targets", programmeVersion: 2, programme: [3], targetsVersion: 3, signed: [4], by: "editor", at: Self.now)
        #expect(try await store.proposal(id: one.id)?.state == .superseded)
        let signature = ReleaseSignature(keyID: "k1", signature: "ab", account: "approver", at: Self.later(5))
        #expect(try await store.addSignature(proposalID: two.id, signature))
        #expect(try await store.addSignature(proposalID: two.id, signature) == false)
        #expect(try await store.signatures(proposalID: two.id) == [signature])
        try await store.markPublished(proposalID: two.id)
        #expect(try await store.proposals().map(\.state) == [.published, .superseded])
        #expect(try await store.programme(version: 2) == Array("v2".utf8))

        let key = try SigningKey.generate().publicKey
        try await store.setGroupApprovers(group: "astana", keys: [key], threshold: 1, by: "admin", at: Self.now)
        try await store.setGroupApprovers(group: "astana", keys: [key], threshold: 2, by: "admin", at: Self.now)
        #expect(try await store.groupApprovers().map(\.threshold) == [2])

        let asset = StoredAsset(sha256: "ab12", kind: "png", width: 2, height: 1, bytes: 70, name: "flag.png", uploadedBy: "editor", uploadedAt: Self.now)
        #expect(try await store.insertAsset(asset))
        #expect(try await store.insertAsset(asset) == false, "the same bytes again")
        #expect(try await store.assets() == [asset])

        try await store.createScreen(id: "s-1", name: "s-1", width: 64, height: 32, timeZone: "UTC", groups: [], at: Self.now)
        try await store.createScreen(id: "s-2", name: "s-2", width: 64, height: 32, timeZone: "UTC", groups: [], at: Self.now)
        let statuses = (1...2).map { DeviceStatus(screen: "s-\($0)", lastSeen: Self.now, lastTime: 1, heartbeat: [0x7b, 0x7d], address: "10.0.0.\($0)") }
        try await store.saveDeviceStatuses(statuses)
        try await store.saveDeviceStatuses([DeviceStatus(screen: "s-2", lastSeen: Self.later(5), lastTime: 2, heartbeat: [1], address: "10.0.0.9")])
        #expect(try await store.deviceStatuses().map(\.lastTime) == [1, 2])
        #expect(try await store.deviceStatus(screen: "s-2")?.address == "10.0.0.9")
    }
}
