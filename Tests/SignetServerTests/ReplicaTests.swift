import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SignetCore
import SignetPlayer
import Testing

@testable import SignetServer

/// Two server replicas on one PostgreSQL database and one data folder: a player connected to one
/// gets what is done on the other at once (LISTEN/NOTIFY), and its acknowledgements reach both.
@Suite("server replicas on PostgreSQL")
struct ReplicaTests {
    @Test("a player on replica B: commands issued on A reach it over its channel, its acknowledgements reach A, and A's release is pushed to it")
    func aPlayerOnAnotherReplica() async throws {
        let folder = temporaryFolder("replica-player")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let location = try await TestPostgres.freshLocation()
        let replicaA = try await ServerStore(postgres: try PostgresDatabase(location, connections: 3))
        let replicaB = try await ServerStore(postgres: try PostgresDatabase(location, connections: 3))
        try await LiveNetwork.run(store: replicaA) { network in
            var config = network.fixture.config
            config.port = 0
            let appB = buildApplication(config: config, store: replicaB, clock: network.fixture.clock, logger: Logger(label: "replica-b"))
            try await appB.test(.live) { clientB in
                let serverB = "http://127.0.0.1:\(try #require(clientB.port))"
                // Enrolled through A, connected to B.
                let enrolled = try await network.enroll(folder: folder)
                let identity = DeviceIdentity(screen: enrolled.screen, server: serverB, key: enrolled.key)
                let player = Player(identity: identity, configuration: LiveNetwork.configuration(folder), clock: network.fixture.clock,
                                    logger: Logger(label: "player"))
                let running = Task { try await player.run() }
                defer { running.cancel() }
                func heartbeatOnB() async throws -> JSONObject? {
                    let screens = try await clientB.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(network.admin)"])
                        .object?["screens"]?.arrayValue
                    return screens?.compactMap(\.objectValue).first { $0["id"] == "astana-1" }?["heartbeat"]?.objectValue
                }
                try await waitFor("release 1 on the screen, reported to B") { try await heartbeatOnB()?["release"] == .integer(1) }

                // Issued on A: the player (which polls only every 60 s here) gets it over its channel
                // to B, and its acknowledgement, taken by B, is what A reports.
                let blank = try await network.command("blank")
                #expect(blank.result == "done", "\(blank)")
                #expect(blank.seconds < 20)
                try await waitFor("mode blank reported to B") { try await heartbeatOnB()?["mode"] == .string("blank") }
                let restore = try await network.command("restore")
                #expect(restore.result == "done", "\(restore)")

                // Published on A: the notice reaches the player on B well before its next poll.
                let published = ContinuousClock.now
                try await network.release(ServerProgrammeTests.document.replacingOccurrences(of: "the new tram line opens on Monday",
                                                                                             with: "the tram line is open"))
                try await waitFor("release 2 on the screen") { try await heartbeatOnB()?["release"] == .integer(2) }
                #expect(ContinuousClock.now - published < .seconds(30))
            }
        }
    }

    @Test("replica notices: exact bytes, and every malformed one refused")
    func notices() throws {
        let notice = ReplicaNotice(from: "a1", event: .commands(batch: 42, first: 1001, count: 20_000))
        #expect(notice.encoded() == #"{"batch":42,"count":20000,"first":1001,"from":"a1","kind":"commands"}"#)
        #expect(try ReplicaNotice(parsing: notice.encoded()) == notice)
        for event in [ReplicaNotice.Event.release(role: "targets", version: 3), .enrolled(screen: "astana-1")] {
            #expect(try ReplicaNotice(parsing: ReplicaNotice(from: "b2", event: event).encoded()).event == event)
        }
        for bad in ["", "[]", #"{"kind":"commands","batch":1,"first":1,"count":1}"#, #"{"from":"a","kind":"commands","batch":0,"first":1,"count":1}"#,
                    #"{"from":"a","kind":"commands","batch":"1","first":1,"count":1}"#, #"{"from":"a","kind":"commands","batch":1}"#,
                    #"{"from":"a","kind":"commands","batch":1,"first":1,"count":0}"#, #"{"from":"a","kind":"commands","batch":1,"first":-5,"count":1}"#, #"{"from":"a","kind":"blank","screen":"s"}"#,
                    #"{"from":"a","kind":"enrolled","screen":"s","extra":1}"#, #"{"from":"a","kind":"release","role":"targets"}"#] {
            #expect(throws: ReplicaNoticeError.self, "\(bad)") { try ReplicaNotice(parsing: bad) }
        }
    }
}
