import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SignetCore
import Testing

@testable import SignetServer

@Suite("Device heartbeats, signed with the enrolled key")
struct DeviceTests {
    /// A screen with an enrolled device; returns the device key.
    func enrolledScreen(_ client: some TestClientProtocol, _ fixture: ServerFixture) async throws -> SigningKey {
        let admin = try await client.token(for: "admin")
        let headers: HTTPFields = [.authorization: "Bearer \(admin)"]
        _ = try await client.json(.post, "/api/v1/screens", #"{"id": "astana-1", "name": "A", "width": 96, "height": 48, "time_zone": "Asia/Almaty"}"#,
                                  headers: headers)
        let token = try #require(try await client.json(.post, "/api/v1/screens/astana-1/enrollment", headers: headers).object?["token"]?.stringValue)
        let key = try SigningKey.generate()
        let body = JSONWriter.compact.string(.object(["token": .string(token), "public_key": .object(key.publicKey.json)]))
        #expect(try await client.json(.post, "/api/v1/enroll", body).status == .created)
        return key
    }

    func heartbeat(_ client: some TestClientProtocol, key: SigningKey, screen: String = "astana-1", time: Int64,
                   body: String = #"{"release": 2, "slide": "welcome", "uptime_s": 60}"#, signedBody: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in try DeviceSignature.headers(key: key, method: "POST", path: "/api/v1/devices/heartbeat", screen: screen, time: time,
                                                         body: Array((signedBody ?? body).utf8)) {
            headers[HTTPField.Name(name)!] = value
        }
        return try await client.execute(uri: "/api/v1/devices/heartbeat", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aHeartbeatCountsOnceAndOnlyFromTheEnrolledKey() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            let key = try await enrolledScreen(client, fixture)
            let now = fixture.clock.now().millisecondsSince1970
            let first = try await heartbeat(client, key: key, time: now)
            #expect(first.status == .ok, "\(first.text)")
            // The same request again, or an older one, is a replay.
            let replay = try await heartbeat(client, key: key, time: now)
            #expect(replay.status == .conflict && replay.text.contains("replayed or out of order"))
            #expect(try await heartbeat(client, key: key, time: now - 1).status == .conflict)
            // Another key, another screen's name, a body other than the signed one, a far clock: refused.
            #expect(try await heartbeat(client, key: try SigningKey.generate(), time: now + 1).status == .unauthorized)
            #expect(try await heartbeat(client, key: key, screen: "astana-2", time: now + 2).status == .unauthorized)
            #expect(try await heartbeat(client, key: key, time: now + 3, body: #"{"uptime_s": 1}"#, signedBody: #"{"uptime_s": 2}"#).status == .unauthorized)
            let skewed = try await heartbeat(client, key: key, time: now + 120_000)
            #expect(skewed.status == .unauthorized && skewed.text.contains("device clock"))
            let unsigned = try await client.json(.post, "/api/v1/devices/heartbeat", #"{"uptime_s": 1}"#)
            #expect(unsigned.status == .unauthorized && unsigned.text.contains("X-Signet-Signature"))
            // An account's token is no device.
            let viewer = try await client.token(for: "viewer")
            #expect(try await client.json(.post, "/api/v1/devices/heartbeat", #"{"uptime_s": 1}"#,
                                          headers: [.authorization: "Bearer \(viewer)"]).status == .unauthorized)
            // Signed but malformed: a clear 400, and the last heartbeat stays.
            let malformed = try await heartbeat(client, key: key, time: now + 4, body: #"{"uptime_s": -5, "extra": 1}"#)
            #expect(malformed.status == .badRequest && malformed.object?["error"] != nil)
            #expect(try await heartbeat(client, key: key, time: now + 5, body: #"{"uptime_s": 1.5}"#).status == .badRequest)

            let screens = try #require(try await client.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(viewer)"]).object)
            let screen = try #require(screens["screens"]?.arrayValue?.first?.objectValue)
            #expect(screen["online"] == .bool(true) && screen["heartbeat"]?.objectValue?["slide"] == .string("welcome"))
            fixture.clock.advance(minutes: 1)
            let later = try #require(try await client.json(.get, "/api/v1/screens", headers: [.authorization: "Bearer \(viewer)"]).object)
            #expect(later["screens"]?.arrayValue?.first?.objectValue?["online"] == .bool(false))

            // A new enrollment retires the old key at once.
            let admin = try await client.token(for: "admin")
            let token = try #require(try await client.json(.post, "/api/v1/screens/astana-1/enrollment",
                                                           headers: [.authorization: "Bearer \(admin)"]).object?["token"]?.stringValue)
            let replacement = try SigningKey.generate()
            _ = try await client.json(.post, "/api/v1/enroll",
                                      JSONWriter.compact.string(.object(["token": .string(token), "public_key": .object(replacement.publicKey.json)])))
            let time = fixture.clock.now().millisecondsSince1970
            #expect(try await heartbeat(client, key: key, time: time).status == .unauthorized)
            #expect(try await heartbeat(client, key: replacement, time: time + 1).status == .ok)
        }
    }

    func signed(_ client: some TestClientProtocol, _ path: String, key: SigningKey, time: Int64, body: String) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in try DeviceSignature.headers(key: key, method: "POST", path: path, screen: "astana-1", time: time, body: Array(body.utf8)) {
            headers[HTTPField.Name(name)!] = value
        }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aDisplayAlertIsLoggedAtOnceWithItsClassAndEvidence() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            let key = try await enrolledScreen(client, fixture)
            let now = fixture.clock.now().millisecondsSince1970
            let approved = "v1:" + String(repeating: "ff", count: 192), seen = "v1:" + String(repeating: "00", count: 192)
            let alert = DeviceAlert(kind: .displayMismatch, slide: "welcome", release: 2, expected: approved, rendered: approved, captured: seen,
                                    distance: 255, at: now)
            let sent = try await signed(client, "/api/v1/devices/alert", key: key, time: now, body: JSONWriter.compact.string(.object(alert.jsonObject())))
            #expect(sent.status == .ok, "\(sent.text)")
            // A report whose class does not follow from its kind is refused, and nothing is logged.
            let wrong = try await signed(client, "/api/v1/devices/alert", key: key, time: now + 1,
                                         body: #"{"kind":"display_mismatch","class":"capture fault","at":5}"#)
            #expect(wrong.status == .badRequest && wrong.text.contains("class: downstream fault or attack"))
            let unsigned = try await client.json(.post, "/api/v1/devices/alert", #"{"kind":"capture_fault","class":"capture fault","at":5}"#)
            #expect(unsigned.status == .unauthorized)
            let alerts = try await fixture.store.latestAlerts(limit: 10)
            #expect(alerts.map(\.action) == ["alert.display.display_mismatch"])
            let detail = try JSONParser().parse(Array(try #require(alerts.first).detail.utf8)).objectValue
            #expect(detail?["class"] == "downstream fault or attack" && detail?["captured"] == .string(seen) && detail?["device_at"] == .integer(now))
            #expect(alerts.first?.subject == "astana-1")
        }
    }

    @Test func aRefusalOfACommandAlreadyCarriedOutIsAnAlertNotNothing() async throws {
        let fixture = try await ServerFixture.withRepository()
        defer { try? FileManager.default.removeItem(atPath: fixture.config.dataDirectory) }
        try await fixture.test { client in
            _ = try await enrolledScreen(client, fixture)
            let operatorToken = try await client.token(for: "operator")
            let issued = try await client.json(.post, "/api/v1/commands", #"{"action": "blank", "screens": ["astana-1"]}"#,
                                               headers: [.authorization: "Bearer \(operatorToken)"])
            let id = try #require(issued.object?["commands"]?.arrayValue?.first?.objectValue?["id"]?.integerValue)
            func received(_ result: Acknowledgement.Result) -> ReceivedAcknowledgement {
                ReceivedAcknowledgement(acknowledgement: Acknowledgement(command: id, result: result), screen: "astana-1", address: "10.0.0.1",
                                        at: fixture.clock.now())
            }
            #expect(try await fixture.store.acknowledge([received(.done)]) == (1, 1))
            // The same signed command reached the player again later: it refuses it, and the server says so.
            let replayed = received(.refused("command refused: sequence 1 is not after 2 (replayed or out of order)"))
            _ = try await fixture.store.acknowledge([replayed])
            #expect(try await fixture.store.latestAlerts(limit: 5).map(\.action) == ["alert.command.refused"])
            // A command the server never issued to the screen, refused: an alert too.
            let forged = ReceivedAcknowledgement(acknowledgement: Acknowledgement(command: 999, result: .refused("command refused: bad signature")),
                                                 screen: "astana-1", address: "10.0.0.1", at: fixture.clock.now())
            #expect(try await fixture.store.lateRefusal(forged))
            let alerts = try await fixture.store.latestAlerts(limit: 5)
            #expect(alerts.count == 2 && alerts.first?.detail.contains("never issued") == true)
            #expect(alerts.last?.detail.contains("a replay") == true)
        }
    }

    @Test func statusIsSavedAndReloaded() async throws {
        let fixture = try ServerFixture()
        try await fixture.store.createScreen(id: "s", name: "S", width: 8, height: 8, timeZone: "UTC", groups: [], at: fixture.clock.now())
        let registry = DeviceRegistry(store: fixture.store)
        await registry.record(DeviceStatus(screen: "s", lastSeen: fixture.clock.now(), lastTime: 42, heartbeat: Array("{}".utf8), address: "10.0.0.7"), release: nil)
        let service = DeviceStatusService(registry: registry, store: fixture.store, interval: .seconds(5), logger: Logger(label: "test"))
        await service.save()
        #expect(try await fixture.store.deviceStatuses().map(\.lastTime) == [42])
        let reloaded = DeviceRegistry(store: fixture.store)
        try await reloaded.load()
        #expect(await reloaded.status("s")?.address == "10.0.0.7")
        #expect(await registry.takeUnsaved().isEmpty)
    }

    @Test func aSilentScreenRaisesAnAlertOnceAndAnotherWhenItIsHeardAgain() async throws {
        let fixture = try ServerFixture()
        let registry = DeviceRegistry(store: fixture.store)
        let metrics = ServerMetrics()
        let watch = SilenceWatch(registry: registry, store: fixture.store, clock: fixture.clock, metrics: metrics, silenceMilliseconds: 30_000,
                                 interval: .seconds(5), logger: Logger(label: "test"))
        func heartbeat() async {
            await registry.record(DeviceStatus(screen: "astana-1", lastSeen: fixture.clock.now(), lastTime: 1, heartbeat: Array("{}".utf8),
                                               address: "10.0.0.7"), release: 1)
        }
        func alerts() async throws -> [String] { try await fixture.store.auditEvents().map { "\($0.action) \($0.subject)" } }
        await heartbeat()
        await watch.check()
        #expect(try await alerts().isEmpty)
        fixture.clock.advance(minutes: 1)
        await watch.check()
        await watch.check()  // once, not at every check
        #expect(try await alerts() == ["alert.screen.silent astana-1"])
        #expect(try await fixture.store.auditEvents().first?.detail == #"{"last_seen":"2025-11-24T16:00:00Z","silent_for_s":60}"#)
        #expect(metrics.exposition().contains("signet_screens_silent 1"))
        await heartbeat()
        await watch.check()
        #expect(try await alerts() == ["alert.screen.silent astana-1", "alert.screen.back astana-1"])
        #expect(metrics.exposition().contains("signet_screens_silent 0"))
        // The alerts view reads alerts alone, newest first, by their own index.
        try await fixture.store.audit(at: fixture.clock.now(), actor: "operator", action: "session.start", subject: "operator", address: "local")
        #expect(try await fixture.store.latestAlerts(limit: 10).map { "\($0.action) \($0.subject)" }
                == ["alert.screen.back astana-1", "alert.screen.silent astana-1"])
        let plan = try await fixture.store.database.read { db in
            try db.fetchAll(sql: "EXPLAIN QUERY PLAN SELECT * FROM audit_event WHERE \(ServerStore.alertCondition) ORDER BY id DESC LIMIT 10")
                .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX audit_alerts") }, "\(plan)")
    }
}
