/// How a player proves that a request comes from its enrolled device: an Ed25519 signature over
/// the method, path, screen, its clock and the body's SHA-256, sent in three headers. The server
/// accepts each device's times only in increasing order and near its own clock, so a captured
/// request cannot be replayed or held back and sent later.
public enum DeviceSignature {
    public static let screenHeader = "X-Signet-Screen"
    public static let timeHeader = "X-Signet-Time"
    public static let signatureHeader = "X-Signet-Signature"
    /// How far a device's clock may be from the server's, in milliseconds.
    public static let maxSkewMilliseconds: Int64 = 60_000

    /// The signed bytes; every part is on its own line, so no part can pose as another.
    public static func message(method: String, path: String, screen: String, time: Int64, body: some Collection<UInt8>) -> [UInt8] {
        let digest = HashAlgorithm.digest("sha256", of: Array(body))!
        return Array("signet-device-v1\n\(method)\n\(path)\n\(screen)\n\(time)\n\(digest)".utf8)
    }

    /// The three headers for a request, signed with the device's key.
    public static func headers(key: SigningKey, method: String, path: String, screen: String, time: Int64,
                               body: some Collection<UInt8>) throws -> [(name: String, value: String)] {
        let signature = try key.sign(message(method: method, path: path, screen: screen, time: time, body: body))
        return [(screenHeader, screen), (timeHeader, String(time)), (signatureHeader, Hex.encode(signature))]
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case badSignature
        case skewed(milliseconds: Int64)
        case replayed(last: Int64)

        public var description: String {
            switch self {
            case .malformed(let what): "device request: \(what)"
            case .badSignature: "device request: the signature does not verify with the screen's enrolled key"
            case .skewed(let milliseconds): "device request: the device clock is \(milliseconds / 1000) s from the server's (at most \(maxSkewMilliseconds / 1000) s)"
            case .replayed(let last): "device request: time must be after the last accepted one (\(last)): replayed or out of order"
            }
        }
    }

    /// Checks a request against the device's key, the server's clock and the last time accepted
    /// from the device; returns the request's time, the device's new last time.
    public static func verify(key: PublicKey, method: String, path: String, screen: String, time text: String, signature: String,
                              body: some Collection<UInt8>, now: Int64, lastTime: Int64?) throws(Refusal) -> Int64 {
        guard let time = Int64(text), time > 0 else { throw .malformed("\(timeHeader) must be milliseconds since 1970") }
        guard signature.utf8.count == 128, let bytes = Hex.decode(signature) else {
            throw .malformed("\(signatureHeader) must be 64 bytes in hex")
        }
        guard key.verify(signature: bytes, message: message(method: method, path: path, screen: screen, time: time, body: body)) else {
            throw .badSignature
        }
        guard abs(time - now) <= maxSkewMilliseconds else { throw .skewed(milliseconds: time - now) }
        if let lastTime, time <= lastTime { throw .replayed(last: lastTime) }
        return time
    }
}
