import Foundation
import HTTPTypes
import Hummingbird

/// The operator console: plain HTML, CSS and JavaScript served as files, with a policy that lets
/// a page run only these scripts and styles (no inline code), talk only to this server and be
/// framed by nobody. The files hold no data; everything comes from the API as the signed-in user.
enum ConsoleRoutes {
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    static let files: [String: String] = ["index.html": "text/html; charset=utf-8", "console.css": "text/css; charset=utf-8",
                                          "console.js": "text/javascript; charset=utf-8"]

    static func register(_ routes: GuardedRouter) {
        let folder = Bundle.module.resourceURL?.appendingPathComponent("Public").path
        @Sendable func file(_ name: String) throws -> Response {
            guard let type = files[name] else { throw APIError(.notFound, "no such console file") }
            guard let folder, let bytes = FileManager.default.contents(atPath: "\(folder)/\(name)") else {
                throw APIError(.serviceUnavailable, "the console's files are not installed next to the server (signet_SignetServer.resources)")
            }
            let headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache", .contentSecurityPolicy: contentSecurityPolicy]
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        // The router takes /console/ for /console: both are the page, which names its files absolutely.
        routes.on(.get, "/console") { _, _, _ in try file("index.html") }
        routes.on(.get, "/console/**") { _, context, _ in try file(context.parameters.getCatchAll().joined(separator: "/")) }
    }
}
