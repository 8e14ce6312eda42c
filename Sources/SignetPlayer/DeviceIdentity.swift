import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SignetCore
import SignetTUFClient

/// Who a player is: the screen it was enrolled for, the server, and its own Ed25519 key, made on
/// the device at enrollment and never sent anywhere (only its public half). Kept in the player's
/// folder: `device.key` (PEM, 0600) and `device.json`.
public struct DeviceIdentity: Sendable {
    public let screen: String
    /// The server's base URL, e.g. http://127.0.0.1:8080.
    public let server: String
    public let key: SigningKey

    static func keyPath(_ folder: String) -> String { "\(folder)/device.key" }
    static func recordPath(_ folder: String) -> String { "\(folder)/device.json" }

    public init(screen: String, server: String, key: SigningKey) {
        self.screen = screen
        self.server = server
        self.key = key
    }

    /// The identity saved in `folder`; nil if the player was never enrolled there.
    public static func load(folder: String) throws -> DeviceIdentity? {
        guard let record = try AtomicFile.read(recordPath(folder), maxBytes: 64 * 1024) else { return nil }
        guard let pem = try AtomicFile.read(keyPath(folder), maxBytes: 64 * 1024) else {
            throw PlayerError("\(recordPath(folder)) exists but its key \(keyPath(folder)) does not: enroll again")
        }
        guard let object = try? JSONParser().parse(record).objectValue, let screen = object["screen"]?.stringValue,
              let server = object["server"]?.stringValue
        else { throw PlayerError("\(recordPath(folder)) is damaged: enroll again") }
        let key = try SigningKey(pem: String(decoding: pem, as: UTF8.self))
        guard object["key_id"]?.stringValue == key.keyID else { throw PlayerError("\(keyPath(folder)) is not the key that was enrolled") }
        return DeviceIdentity(screen: screen, server: server, key: key)
    }

    /// Makes a device key, hands its public half to the server with the one-time `token`, and
    /// saves the identity and the trusted root that the operator supplied. The key is written
    /// (0600) before the token is spent, so a crash cannot leave an enrolled key that is lost.
    public static func enroll(server: String, token: String, trustedRoot: [UInt8], folder: String,
                              http: HTTPClient = .shared) async throws -> DeviceIdentity {
        do { _ = try Metadata<Root>(bytes: trustedRoot, roleName: Root.type) } catch {
            throw PlayerError("the trusted root is not TUF root metadata: \(error)")
        }
        try AtomicFile.createDirectory(folder, permissions: 0o700)
        try AtomicFile.createDirectory("\(folder)/metadata", permissions: 0o700)
        let key = try SigningKey.generate(.ed25519)
        try AtomicFile.write(Array(key.pemRepresentation.utf8), to: keyPath(folder), permissions: 0o600)
        var request = HTTPClientRequest(url: server + "/api/v1/enroll")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: JSONValue = .object(["token": .string(token), "public_key": .object(key.publicKey.json)])
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.compact.encode(body)))
        let response = try await http.execute(request, timeout: .seconds(30))
        let answer = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        let object = (try? JSONParser().parse(answer))?.objectValue
        guard response.status.code == 201, let screen = object?["screen"]?.stringValue else {
            AtomicFile.remove(keyPath(folder))
            throw PlayerError("enrollment refused: \(response.status.code) \(object?["error"]?.stringValue ?? String(decoding: answer.prefix(200), as: UTF8.self))")
        }
        try AtomicFile.write(trustedRoot, to: "\(folder)/metadata/root.json", permissions: 0o600)
        let record: JSONValue = .object(["screen": .string(screen), "server": .string(server), "key_id": .string(key.keyID)])
        try AtomicFile.write(JSONWriter.compact.encode(record), to: recordPath(folder), permissions: 0o600)
        return DeviceIdentity(screen: screen, server: server, key: key)
    }
}
