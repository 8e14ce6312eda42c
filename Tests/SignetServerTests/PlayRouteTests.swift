import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetTestSupport
import Testing

@testable import SignetServer

@Suite("Proofs of play: the server keeps a device's chain and refuses anything else")
struct PlayRouteTests {
    let window = "from=2024-11-27T00:00:00Z&to=2024-11-28T00:00:00Z"

    func send(_ client: some TestClientProtocol, key: SigningKey, time: Int64, records: [PlayRecord], signer: SigningKey? = nil,
              screen: String = "astana-1") async throws -> TestResponse {
        let body = try PlayBatch.sign(records, screen: screen, key: signer ?? key)
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in try DeviceSignature.headers(key: key, method: "POST", path: "/api/v1/devices/plays", screen: "astana-1",
                                                         time: time, body: body) {
            headers[HTTPField.Name(name)!] = value
        }
        return try await client.execute(uri: "/api/v1/devices/plays", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    @Test func batchesExtendTheChainOnceAndBrokenOnesChangeNothing() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        try await fixture.test { client in
            let key = try await DeviceTests().enrolledScreen(client, fixture)
            var time = fixture.clock.now().millisecondsSince1970
            func next() -> Int64 { time += 1; return time }
            let viewer = try await client.token(for: "viewer")
            func held() async throws -> [JSONObject] {
                let answer = try await client.json(.get, "/api/v1/screens/astana-1/plays?\(window)", headers: [.authorization: "Bearer \(viewer)"])
                #expect(answer.status == .ok, "\(answer.text)")
                return (answer.object?["plays"]?.arrayValue ?? []).compactMap(\.objectValue)
            }

            let first = playChain(3)
            let accepted = try await send(client, key: key, time: next(), records: first)
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.object?["added"] == .integer(3) && accepted.object?["through"] == .integer(3))
            #expect(accepted.object?["head"] == .string(first[2].hash))
            let plays = try await held()
            #expect(plays.map { $0["slide"]?.stringValue ?? "black" } == ["slide-1", "slide-2", "black"])
            #expect(plays.first?["start"] == .string("2024-11-27T00:00:00Z") && plays.first?["fingerprint"] == .string("v1:1"))

            // Sent again (the answer was lost), alone or with new records: nothing twice.
            let again = try await send(client, key: key, time: next(), records: first)
            #expect(again.status == .ok && again.object?["added"] == .integer(0) && again.object?["through"] == .integer(3))
            let head = PlayChainHead(sequence: 3, hash: first[2].hash)
            let second = playChain(2, after: head)
            #expect(try await send(client, key: key, time: next(), records: Array(first[1...]) + second).object?["added"] == .integer(2))
            #expect(try await held().count == 5)

            // A gap, a rewritten record, another key's batch, another screen's records: refused, nothing kept.
            let gap = playChain(2, after: PlayChainHead(sequence: 6, hash: String(repeating: "a", count: 64)))
            let refusedGap = try await send(client, key: key, time: next(), records: gap)
            #expect(refusedGap.status == .conflict && refusedGap.text.contains("records 6 to 6 are missing"), "\(refusedGap.text)")
            var rewritten = playChain(5)
            rewritten[4].fingerprint = "v1:ff"
            let refusedRewrite = try await send(client, key: key, time: next(), records: rewritten)
            #expect(refusedRewrite.status == .conflict && refusedRewrite.text.contains("the chain was rewritten"), "\(refusedRewrite.status) \(refusedRewrite.text)")
            let forger = try SigningKey.generate()
            let third = playChain(1, after: PlayChainHead(sequence: 5, hash: second[1].hash))
            let forged = try await send(client, key: key, time: next(), records: third, signer: forger)
            #expect(forged.status == .badRequest && forged.text.contains("not signed by the screen's device key"), "\(forged.text)")
            let foreign = try await send(client, key: key, time: next(), records: playChain(1, screen: "astana-2"), screen: "astana-2")
            #expect(foreign.status == .badRequest && foreign.text.contains("not for screen astana-1"), "\(foreign.text)")
            let garbage = try await client.execute(uri: "/api/v1/devices/plays", method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(string: "{}"))
            #expect(garbage.status == .unauthorized)
            #expect(try await held().count == 5)
            #expect(try await send(client, key: key, time: next(), records: third).object?["through"] == .integer(6))

            // Every batch is kept as signed, so its signature can be checked again later.
            let batches = try await fixture.store.database.read { db in try db.fetchAll(Data.self, sql: "SELECT signed FROM play_batch ORDER BY id") }
            #expect(batches.count == 3)
            for bytes in batches { _ = try PlayBatch(bytes: Array(bytes), key: key.publicKey, screen: "astana-1") }

            let bad = try await client.json(.get, "/api/v1/screens/astana-1/plays?from=yesterday", headers: [.authorization: "Bearer \(viewer)"])
            #expect(bad.status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/screens/astana-1/plays").status == .unauthorized)
            let metrics = try await client.json(.get, "/metrics", headers: [.authorization: "Bearer \(viewer)"]).text
            #expect(metrics.contains("signet_play_records_total 6") && metrics.contains(#"signet_device_requests_refused_total{reason="proof"} 4"#))
        }
    }
}
