import Foundation
import HTTPTypes
import HummingbirdBcrypt
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetTUFClient
import Testing

@testable import SignetServer

@Suite("Fleet commands: issued per screen, signed, fetched and acknowledged by the device")
struct CommandRouteTests {
    /// A request signed by the device, as DeviceTests sends heartbeats.
    func deviceRequest(_ client: some TestClientProtocol, key: SigningKey, method: HTTPRequest.Method, path: String, body: String = "",
                       time: Int64) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in try DeviceSignature.headers(key: key, method: method.rawValue, path: path, screen: "astana-1", time: time,
                                                         body: Array(body.utf8)) {
            headers[HTTPField.Name(name)!] = value
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aBlankReachesTheScreenOnceAndItsAcknowledgementIsRecorded() async throws {
        let fixture = try await ServerFixture.withRepository()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        let root = try Metadata<Root>(bytes: try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json")))
        let keys = try CommandKeys(root: root.signed)
        try await fixture.test { client in
            let device = try await DeviceTests().enrolledScreen(client, fixture)
            let operating: HTTPFields = [.authorization: "Bearer \(try await client.token(for: "operator"))"]
            let viewing: HTTPFields = [.authorization: "Bearer \(try await client.token(for: "viewer"))"]
            #expect(try await client.json(.post, "/api/v1/commands", #"{"action": "blank", "all": true}"#, headers: viewing).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/commands", #"{"action": "blank", "screens": ["nowhere"]}"#, headers: operating).status == .notFound)
            #expect(try await client.json(.post, "/api/v1/commands", #"{"action": "blank", "all": true, "group": "g"}"#, headers: operating).status == .badRequest)
            #expect(try await client.json(.post, "/api/v1/commands", #"{"action": "brightness", "all": true}"#, headers: operating).status == .badRequest)

            let issued = try await client.json(.post, "/api/v1/commands", #"{"action": "blank", "all": true}"#, headers: operating)
            #expect(issued.status == .created, "\(issued.text)")
            let command = try #require(issued.object?["commands"]?.arrayValue?.first?.objectValue)
            #expect(command["screen"] == .string("astana-1") && command["sequence"] == .integer(1))
            #expect(issued.object?["action"] == .string("blank") && issued.object?["issued_by"] == .string("operator"))
            let id = try #require(command["id"]?.integerValue)

            // The device fetches it, verifies it against the root's commands key, and acknowledges it.
            var time = fixture.clock.now().millisecondsSince1970
            let pending = try await deviceRequest(client, key: device, method: .get, path: "/api/v1/devices/commands", time: time)
            let documents = try #require(pending.object?["commands"]?.arrayValue)
            #expect(documents.count == 1)
            var gate = CommandGate(screen: "astana-1")
            let bytes = JSONWriter.compact.encode(documents[0])
            let accepted = try gate.accept(bytes, keys: keys, now: fixture.clock.now().tufTime)
            #expect(accepted.action == .blank && accepted.id == id && accepted.issuedBy == "operator")
            #expect(throws: CommandGate.Refusal.replayed(sequence: 1, last: 1)) { try gate.accept(bytes, keys: keys, now: fixture.clock.now().tufTime) }
            time += 1
            let ack = try await deviceRequest(client, key: device, method: .post, path: "/api/v1/devices/commands/\(id)/ack",
                                              body: #"{"result": "done"}"#, time: time)
            #expect(ack.status == .ok, "\(ack.text)")
            time += 1
            #expect(try await deviceRequest(client, key: device, method: .post, path: "/api/v1/devices/commands/\(id)/ack",
                                            body: #"{"result": "done"}"#, time: time).status == .conflict)
            time += 1
            let after = try await deviceRequest(client, key: device, method: .get, path: "/api/v1/devices/commands", time: time)
            #expect(after.object?["commands"]?.arrayValue?.isEmpty == true)
            let status = try await client.json(.get, "/api/v1/commands?ids=\(id)", headers: viewing)
            let record = try #require(status.object?["commands"]?.arrayValue?.first?.objectValue)
            #expect(record["result"] == .string("done") && record["acknowledged_at"] != .null)

            // The next command for the screen has the next number; an expired one is no longer offered.
            let restore = try await client.json(.post, "/api/v1/commands", #"{"action": "restore", "screens": ["astana-1"], "expires_in_s": 5}"#,
                                                headers: operating)
            #expect(restore.object?["commands"]?.arrayValue?.first?.objectValue?["sequence"] == .integer(2))
            fixture.clock.advance(minutes: 1)
            let later = try await deviceRequest(client, key: device, method: .get, path: "/api/v1/devices/commands",
                                                time: fixture.clock.now().millisecondsSince1970)
            #expect(later.object?["commands"]?.arrayValue?.isEmpty == true)
            #expect(try await fixture.store.auditEvents().map(\.action).filter { $0.hasPrefix("command.") } == ["command.issue", "command.ack", "command.issue"])

            // A screen's commands, newest first (its page in the console); only for accounts whose groups reach it.
            let listed = try await client.json(.get, "/api/v1/commands?screen=astana-1", headers: viewing).object?["commands"]?.arrayValue ?? []
            #expect(listed.compactMap { $0.objectValue?["action"]?.stringValue } == ["restore", "blank"])
            #expect(listed.last?.objectValue?["result"] == .string("done") && listed.first?.objectValue?["result"] == .null)
            _ = try await fixture.store.createAccount(name: "berliner", role: .viewer, passwordHash: Bcrypt.hash(ServerFixture.password, cost: 4),
                                                      mustChangePassword: false, groups: ["berlin"], at: fixture.clock.now())
            let berliner: HTTPFields = [.authorization: "Bearer \(try await client.token(for: "berliner"))"]
            #expect(try await client.json(.get, "/api/v1/commands?screen=astana-1", headers: berliner).status == .notFound)
            let hidden = try await client.json(.get, "/api/v1/commands?ids=\(id)", headers: berliner)
            #expect(hidden.status == .ok && hidden.object?["commands"]?.arrayValue?.isEmpty == true, "\(hidden.text)")
        }
    }

    @Test func aFanOutIsOneBatchWhoseProofsAreMadeAgainFromTheStore() async throws {
        let fixture = try await ServerFixture.withRepository()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        let keys = try CommandKeys(root: try Metadata<Root>(bytes: try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json"))).signed)
        for index in 1...7 {
            try await fixture.store.createScreen(id: "s-\(index)", name: "S", width: 8, height: 8, timeZone: "UTC", groups: [], at: fixture.clock.now())
        }
        try await fixture.test { client in
            let operating: HTTPFields = [.authorization: "Bearer \(try await client.token(for: "operator"))"]
            let issued = try await client.json(.post, "/api/v1/commands", #"{"action": "safe", "all": true}"#, headers: operating)
            #expect(issued.status == .created, "\(issued.text)")
        }
        // A server restarted (no tree in memory) makes each screen's document again from the stored
        // batch: every one verifies, each only for its own screen, all under one signature.
        let restarted = try await ServerStore(reopening: fixture.store)
        var batches = Set<String>()
        for index in 1...7 {
            let pending = try await restarted.pendingCommands(screen: "s-\(index)", now: fixture.clock.now())
            #expect(pending.count == 1)
            let document = try JSONParser().parse(try #require(pending.first?.signed))
            var gate = CommandGate(screen: "s-\(index)")
            #expect(try gate.accept(document: document, keys: keys, now: fixture.clock.now().tufTime).action == .safe)
            #expect(document.objectValue?["index"] == .integer(Int64(index - 1)))
            batches.insert(JSONWriter.compact.string(try #require(document.objectValue?["batch"])))
        }
        #expect(batches.count == 1)

        // Acknowledgements from the channels: one audit event names the commands done; a refusal has its own.
        let ids = try await restarted.pendingCommands(screen: "s-1", now: fixture.clock.now()).map(\.id)
            + (2...7).asyncFlatMap { try await restarted.pendingCommands(screen: "s-\($0)", now: fixture.clock.now()).map(\.id) }
        let received = ids.enumerated().map { index, id in
            ReceivedAcknowledgement(acknowledgement: Acknowledgement(command: id, result: index == 6 ? .refused("command refused: it expired") : .done),
                                    screen: "s-\(index + 1)", address: "10.0.0.\(index)", at: fixture.clock.now())
        }
        #expect(try await restarted.acknowledge(received) == (7, 2))
        #expect(try await restarted.acknowledge(received) == (0, 0))
        let events = try await restarted.auditEvents().filter { $0.action == "command.ack" }
        #expect(events.map(\.subject) == ["command \(ids[6])", "6 commands"])
        let done = ids.prefix(6).map(String.init).joined(separator: ",")
        #expect(events.last?.detail == "{\"commands\":[\(done)],\"count\":6,\"result\":\"done\"}")

        // A screen's pending commands are found through an index of pending commands only, which
        // acknowledged commands leave (an index of all of them slowed every fan-out as it grew).
        let (plan, indexed) = try await restarted.database.read { db in
            (try db.fetchAll(sql: "EXPLAIN QUERY PLAN SELECT * FROM command WHERE screen_id = 's-1' AND acked_ms IS NULL ORDER BY sequence")
                .map { $0["detail"] as String }.joined(separator: " "),
             try db.fetchOne(Int.self, sql: "SELECT count(*) FROM command INDEXED BY command_pending WHERE acked_ms IS NULL AND screen_id > ''"))
        }
        #expect(plan.contains("command_pending"))
        #expect(indexed == 0)
    }
}

extension ClosedRange<Int> {
    func asyncFlatMap<T>(_ transform: (Int) async throws -> [T]) async rethrows -> [T] {
        var all: [T] = []
        for element in self { all += try await transform(element) }
        return all
    }
}
