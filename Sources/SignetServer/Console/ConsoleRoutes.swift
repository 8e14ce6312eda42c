import Foundation
import HTTPTypes
import Hummingbird

/// The operator console: plain HTML, CSS and JavaScript served as files, with a policy that lets
/// a page run only these scripts and styles (no inline code), talk only to this server and be
/// framed by nobody. The files hold no data; everything comes from the API as the signed-in user.
enum ConsoleRoutes {
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    static let types = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]

    /// A console file's type, for a plain name in the folder (`content.js`), never a path.
    static func type(of name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ ($0.isASCII && $0.isLetter) || $0 == "-" }) else { return nil }
        return types[String(parts[1])]
    }

    static func register(_ routes: GuardedRouter) {
        let folder = Bundle.module.resourceURL?.path
        @Sendable func file(_ name: String) throws -> Response {
            guard let type = type(of: name) else { throw APIError(.notFound, "no such console file") }
            guard let folder else {
                throw APIError(.serviceUnavailable, "the console's files are not installed next to the server (signet_SignetServer.resources)")
            }
            guard let bytes = FileManager.default.contents(atPath: "\(folder)/\(name)") else { throw APIError(.notFound, "no such console file") }
            let headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache", .contentSecurityPolicy: contentSecurityPolicy]
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        // The router takes /console/ for /console: both are the page, which names its files absolutely.
        routes.on(.get, "/console") { _, _, _ in try file("index.html") }
        routes.on(.get, "/console/**") { _, context, _ in try file(context.parameters.getCatchAll().joined(separator: "/")) }
    }
}
