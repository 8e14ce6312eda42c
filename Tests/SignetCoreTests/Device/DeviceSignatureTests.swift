import Testing

@testable import SignetCore

@Suite("Device request signatures")
struct DeviceSignatureTests {
    let key = try! KeyTests.rfc8032Key()
    let body = Array(#"{"slide":"welcome"}"#.utf8)
    let now: Int64 = 1_764_000_000_000

    @Test func theSignedMessageNamesEveryPart() {
        let message = DeviceSignature.message(method: "POST", path: "/api/v1/devices/heartbeat", screen: "astana-1", time: now, body: body)
        #expect(String(decoding: message, as: UTF8.self) == """
            signet-device-v1
            POST
            /api/v1/devices/heartbeat
            astana-1
            1764000000000
            \(HashAlgorithm.digest("sha256", of: body)!)
            """)
    }

    @Test func aSignedRequestVerifiesOnceAndInOrder() throws {
        let headers = try DeviceSignature.headers(key: key, method: "POST", path: "/p", screen: "astana-1", time: now, body: body)
        let signature = headers[2].value
        func verify(method: String = "POST", screen: String = "astana-1", time: String = "1764000000000", body: [UInt8]? = nil,
                    at clock: Int64? = nil, last: Int64? = nil) throws(DeviceSignature.Refusal) -> Int64 {
            try DeviceSignature.verify(key: key.publicKey, method: method, path: "/p", screen: screen, time: time, signature: signature,
                                       body: body ?? self.body, now: clock ?? now, lastTime: last)
        }
        #expect(try verify() == now)
        #expect(throws: DeviceSignature.Refusal.replayed(last: now)) { try verify(last: now) }
        #expect(throws: DeviceSignature.Refusal.badSignature) { try verify(screen: "astana-2") }
        #expect(throws: DeviceSignature.Refusal.badSignature) { try verify(method: "GET") }
        #expect(throws: DeviceSignature.Refusal.badSignature) { try verify(body: Array(#"{"slide":"other"}"#.utf8)) }
        #expect(throws: DeviceSignature.Refusal.badSignature) { try verify(time: "1764000000001") }
        #expect(throws: DeviceSignature.Refusal.skewed(milliseconds: -61_000)) { try verify(at: now + 61_000) }
        #expect(throws: DeviceSignature.Refusal.malformed("X-Signet-Time must be milliseconds since 1970")) { try verify(time: "soon") }
        let other = try SigningKey.generate()
        #expect(throws: DeviceSignature.Refusal.badSignature) {
            try DeviceSignature.verify(key: other.publicKey, method: "POST", path: "/p", screen: "astana-1", time: String(now),
                                       signature: signature, body: body, now: now, lastTime: nil)
        }
    }
}
