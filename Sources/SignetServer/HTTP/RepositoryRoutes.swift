import Hummingbird
import HTTPTypes

/// The TUF repository as static files, for players and any mirror: anyone may read it, because
/// every client verifies what it reads.
enum RepositoryRoutes {
    static func register(_ routes: GuardedRouter) {
        let folder = "\(routes.services.config.dataDirectory)/repository"
        let files = FileIO()
        routes.on(.get, "/repository/**") { _, context, _ in
            let components = context.parameters.getCatchAll()
            // Names only: no empty, hidden or parent components, nothing outside the repository.
            guard !components.isEmpty, components.allSatisfy(isSafe) else { throw APIError(.notFound, "no such file") }
            let relative = components.joined(separator: "/")
            let body = try await files.loadFile(path: "\(folder)/\(relative)", context: context)
            let name = components.last!
            var headers: HTTPFields = [.contentType: name.hasSuffix(".json") ? "application/json" : "application/octet-stream"]
            // Versioned and hashed names never change; timestamp.json and the unversioned names do.
            let versioned = name.first?.isNumber == true || (components.first == "targets" && name.contains("."))
            headers[.cacheControl] = versioned && name != "timestamp.json" ? "public, max-age=31536000, immutable" : "no-cache"
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    static func isSafe(_ component: Substring) -> Bool {
        guard let first = component.first, first != "." else { return false }
        return component.unicodeScalars.allSatisfy { scalar in
            (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) || "._-%".unicodeScalars.contains(scalar)
        }
    }
}
