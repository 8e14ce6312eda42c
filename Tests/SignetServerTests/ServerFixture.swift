import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Logging
import NIOCore
import SignetCore
import SignetSystem
import Synchronization

@testable import SignetServer

/// A clock the test moves by hand; a running one also moves with real time from the moment it is made.
final class MovableClock: WallClock {
    private let milliseconds: Mutex<Int64>
    private let running: ContinuousClock.Instant?

    init(start: Int64 = 1_764_000_000_000, running: Bool = false) {
        milliseconds = Mutex(start)
        self.running = running ? ContinuousClock.now : nil
    }

    /// A clock that reads the system's time and runs with it (for a player in another process).
    static func system() -> MovableClock { MovableClock(start: SystemWallClock().now().millisecondsSince1970, running: true) }

    func now() -> Instant {
        let elapsed = running.map { (ContinuousClock.now - $0).components } ?? (seconds: 0, attoseconds: 0)
        return Instant(millisecondsSince1970: milliseconds.withLock { $0 } + elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)
    }

    func advance(minutes: Int64) { milliseconds.withLock { $0 += minutes * 60_000 } }
    func advance(milliseconds delta: Int64) { milliseconds.withLock { $0 += delta } }
}

/// A server over an in-memory store, with cheap bcrypt and accounts named after their roles.
struct ServerFixture {
    static let password = "correct horse battery staple"

    let store: ServerStore
    let clock: MovableClock
    var config = ServerConfig()

    init(clock: MovableClock = MovableClock(), store: ServerStore? = nil) throws {
        self.clock = clock
        self.store = try store ?? ServerStore.inMemory()
        config.bcryptCost = 4
        config.dataDirectory = NSTemporaryDirectory() + "signet-server-test-\(UUID().uuidString)"
    }

    /// One account per role, each with the same ordinary (not one-time) password.
    func addRoleAccounts() async throws {
        for role in Role.allCases {
            _ = try await store.createAccount(name: role.rawValue, role: role, passwordHash: Bcrypt.hash(Self.password, cost: 4),
                                              mustChangePassword: false, at: clock.now())
        }
    }

    func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = buildApplication(config: config, store: store, clock: clock, logger: Logger(label: "test"))
        return try await app.test(.router, body)
    }
}

extension TestClientProtocol {
    func json(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        if body != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
    }

    /// Signs in; returns the session cookie (name=value) and the CSRF token.
    func signIn(_ name: String, _ password: String = ServerFixture.password) async throws -> (cookie: String, csrf: String) {
        let response = try await json(.post, "/api/v1/session", #"{"name": "\#(name)", "password": "\#(password)"}"#)
        guard response.status == .ok, let setCookie = response.headers[.setCookie],
              let csrf = try JSONParser().parse(Array(response.body.readableBytesView)).objectValue?["csrf_token"]?.stringValue
        else { throw APIError(response.status, "sign-in failed: \(String(buffer: response.body))") }
        return (String(setCookie.prefix { $0 != ";" }), csrf)
    }

    func token(for name: String) async throws -> String {
        let session = try await signIn(name)
        let response = try await json(.post, "/api/v1/me/tokens", #"{"label": "test"}"#,
                                      headers: [.cookie: session.cookie, GuardedRouter.csrfHeader: session.csrf])
        guard let token = try JSONParser().parse(Array(response.body.readableBytesView)).objectValue?["token"]?.stringValue else {
            throw APIError(response.status, "no token: \(String(buffer: response.body))")
        }
        return token
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var object: JSONObject? { try? JSONParser().parse(Array(body.readableBytesView)).objectValue }
}


/// A private key file, as approvers and the server keep them.
func keyFile(_ path: String) throws -> SigningKey {
    try SigningKey(pem: String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
}

/// An approver's signature over a proposal's `signed` bytes, as the signatures endpoint takes it;
/// `tamper` signs other bytes (a later version) instead.
func approval(_ key: SigningKey, of proposal: JSONObject, tamper: Bool = false) throws -> String {
    var targets = try Targets(signed: proposal["signed"]!)
    if tamper { targets.version += 7 }
    var metadata = Metadata(signed: targets)
    try metadata.sign(with: key)
    return JSONWriter.compact.string(.object(["keyid": .string(key.keyID), "sig": .string(metadata.signatures[0].signature)]))
}

extension ServerFixture {
    /// A fixture with one account per role and a published trial repository (1 custodian; 2 of 3
    /// approvers, keys in offline/). The caller removes `config.dataDirectory`.
    static func withRepository(clock: MovableClock = MovableClock(), store: ServerStore? = nil) async throws -> ServerFixture {
        let fixture = try ServerFixture(clock: clock, store: store)
        try await fixture.addRoleAccounts()
        try ReleaseTests.trialRepository(fixture)
        return fixture
    }
}
