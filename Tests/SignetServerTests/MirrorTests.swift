import Foundation
import Logging
import SignetCore
import SignetPlayer
import SignetSystem
import SignetTUFClient
import Testing

@testable import SignetServer

/// Releases served by a mirror nobody needs to trust (DESIGN section 6): nginx serves a copy of
/// the server's repository; a file altered on it is refused and the player takes the release from
/// the server instead.
@Suite("An untrusted mirror: nginx serves the repository; what it alters is refused, the server supplies it")
struct MirrorTests {
    /// nginx on a free loopback port serving `root`, its logs in `folder`.
    static func nginx(serving root: String, in folder: String) throws -> (process: ChildProcess, url: String) {
        let nginx = try #require(findExecutable("nginx") ?? findExecutable("/usr/sbin/nginx"), "nginx is installed (.ci/run installs nginx-light)")
        let port = try freePort()
        let config = """
            \(getuid() == 0 ? "user root;" : "")
            daemon off;
            pid \(folder)/nginx.pid;
            error_log \(folder)/nginx-error.log;
            events {}
            http {
              access_log \(folder)/access.log;
              client_body_temp_path \(folder)/tmp; proxy_temp_path \(folder)/tmp; fastcgi_temp_path \(folder)/tmp;
              uwsgi_temp_path \(folder)/tmp; scgi_temp_path \(folder)/tmp;
              server { listen 127.0.0.1:\(port); root \(root); }
            }
            """
        try AtomicFile.createDirectory("\(folder)/tmp")
        try AtomicFile.write(Array(config.utf8), to: "\(folder)/nginx.conf")
        return (try ChildProcess(nginx, ["-c", "\(folder)/nginx.conf", "-p", folder], captureOutput: false), "http://127.0.0.1:\(port)")
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound, "a free loopback port")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The mirror made again from the server's repository (as a sync job would).
    static func sync(_ repository: String, to mirror: String) throws {
        try? FileManager.default.removeItem(atPath: mirror)
        try FileManager.default.copyItem(atPath: repository, toPath: mirror)
    }

    @Test func aFileAlteredOnTheMirrorIsRefusedAndTheReleaseComesFromTheServer() async throws {
        let folder = temporaryFolder("mirror")
        try AtomicFile.createDirectory(folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mirror = "\(folder)/mirror"
        try await LiveNetwork.run { network in
            try Self.sync("\(network.data)/repository", to: mirror)
            let (nginx, url) = try Self.nginx(serving: mirror, in: folder)
            defer { nginx.stop() }
            try await waitFor("nginx serving the mirror (\(folder)/nginx-error.log)", seconds: 10) {
                (try? await HTTPFetcher().fetch("\(url)/metadata/1.root.json", maxBytes: 1 << 20)) != nil
            }
            var configuration = LiveNetwork.configuration("\(folder)/player")
            configuration.repository = url
            // A mirror lags its server: the release notice may come before the copy does, so the
            // player also polls.
            configuration.pollInterval = .seconds(1)
            let player = Player(identity: try await network.enroll(folder: "\(folder)/player"), configuration: configuration, clock: network.fixture.clock,
                                logger: Logger(label: "player"))
            let running = Task { try await player.run() }
            defer { running.cancel() }
            // Release 1 comes from the mirror.
            try await waitFor("release 1 from the mirror") { try await network.heartbeat()?["release"] == .integer(1) }
            let served = String(decoding: try #require(try AtomicFile.read("\(folder)/access.log")), as: UTF8.self)
            #expect(served.contains("GET /metadata/timestamp.json") && served.contains("programme.json HTTP/1.1\" 200"))

            // Release 2 (with a new image) reaches the mirror with its programme altered there.
            try await network.release(try await PlayerFaultTests().programmeWithNewAsset(network))
            try Self.sync("\(network.data)/repository", to: mirror)
            var altered = 0
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(mirror)/targets") where name.hasSuffix("programme.json") {
                var bytes = try #require(try AtomicFile.read("\(mirror)/targets/\(name)"))
                bytes[bytes.count / 2] ^= 0x20
                try AtomicFile.write(bytes, to: "\(mirror)/targets/\(name)")
                altered += 1
            }
            #expect(altered >= 2)
            // The player refuses the mirror's programme, says so, and takes release 2 from the server.
            try await waitFor("release 2 from the server") { try await network.heartbeat()?["release"] == .integer(2) }
            // The alert is a request of its own, which may come after the heartbeat.
            try await waitFor("the player's alert") {
                try await network.fixture.store.latestAlerts(limit: 10).contains { $0.action == "alert.update.refused" }
            }
            let alert = try #require(try await network.fixture.store.latestAlerts(limit: 10).first { $0.action == "alert.update.refused" })
            #expect(alert.subject == "astana-1" && alert.detail.contains("the mirror: ") && alert.detail.contains("programme.json"))
            // What is on screen is the server's release 2, not the altered document.
            let current = try #require(try ContentCache(folder: "\(folder)/player/cache").current())
            #expect(current.current.release == 2)
        }
    }
}
