import Foundation
import Hummingbird
import HTTPTypes
import SignetCore
import SignetSystem

/// The transparency log as C2SP tlog-tiles under `/log/`: the signed checkpoint and the hash
/// tiles for anyone (they hold only hashes, and every reader verifies them), entry bundles for
/// signed-in people (entries name accounts and addresses). Proofs for clients that would rather
/// not read tiles: `/api/v1/log/consistency` and `/api/v1/log/inclusion`.
enum LogRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/log/checkpoint") { _, _, _ in
            do {
                return text(try await services.checkpointer.checkpoint().note, cache: "no-cache")
            } catch let error as ConfigError {
                // No published root yet (root v1 waits for its custodians), so no log key to sign with.
                throw APIError(.serviceUnavailable, "no checkpoint yet: \(error.description)")
            }
        }

        routes.on(.get, "/log/tile/entries/**") { _, context, _ in
            guard case .entries(let index, let width) = try tile(context, under: "tile/entries/") else { throw APIError(.notFound, "no such tile") }
            guard let bundle = try await services.store.logEntryBundle(index: index, width: width) else { throw APIError(.notFound, "no such tile yet") }
            return bytes(bundle)
        }

        routes.on(.get, "/log/tile/**") { _, context, _ in
            guard case .hashes(let level, let index, let width) = try tile(context, under: "tile/") else { throw APIError(.notFound, "no such tile") }
            guard let hashes = try await services.store.logTile(level: level, index: index, width: width) else { throw APIError(.notFound, "no such tile yet") }
            return bytes(hashes)
        }

        routes.on(.get, "/api/v1/log/consistency") { request, _, _ in
            let from = try number(request, "from"), to = try number(request, "to")
            guard from >= 1, from <= to else { throw APIError(.badRequest, "from: 1 to `to`") }
            guard let proof = try await services.store.logConsistencyProof(from: from, to: to) else { throw APIError(.notFound, "the log has fewer than \(to) entries") }
            return JSONBody.response(["from": .integer(from), "to": .integer(to), "proof": .array(proof.map { .string(Data($0).base64EncodedString()) })])
        }

        routes.on(.get, "/api/v1/log/inclusion") { request, _, _ in
            let index = try number(request, "index"), size = try number(request, "size")
            guard index >= 0, index < size else { throw APIError(.badRequest, "index: 0 to size - 1") }
            guard let proof = try await services.store.logInclusionProof(index: index, size: size) else { throw APIError(.notFound, "the log has fewer than \(size) entries") }
            return JSONBody.response(["index": .integer(index), "size": .integer(size), "proof": .array(proof.map { .string(Data($0).base64EncodedString()) })])
        }
    }

    /// The tile a path names, in its one spelling (`under`: what the route's pattern matched).
    static func tile(_ context: AppRequestContext, under prefix: String) throws -> TilePath.Tile {
        let path = prefix + context.parameters.getCatchAll().joined(separator: "/")
        do { return try TilePath.parse(path) } catch { throw APIError(.notFound, error.description) }
    }

    static func number(_ request: Request, _ name: String) throws -> Int64 {
        guard let text = request.uri.queryParameters[Substring(name)], let value = Int64(text), value >= 0 else {
            throw APIError(.badRequest, "\(name): a whole number")
        }
        return value
    }

    static func text(_ body: String, cache: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: cache], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A tile never changes once it exists (a partial one has its own name).
    static func bytes(_ body: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "public, max-age=31536000, immutable"],
                 body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Signs the log's checkpoints with the log key; one for the service and the routes.
struct LogCheckpointer: Sendable {
    let store: ServerStore
    let publisher: ReleasePublisher
    let clock: any WallClock

    /// Signs a checkpoint of the whole log if it grew since the last one; returns the newest.
    /// (A log that has not grown costs one read: the key is loaded only to sign.)
    func checkpoint() async throws -> (size: Int64, note: String) {
        if let latest = try await store.latestCheckpoint(), latest.size == (try await store.logSize()) { return latest }
        let key = try publisher.logKey()
        return try await store.checkpoint(at: clock.now()) { size, root in
            try Checkpoint(origin: key.name, size: size, root: root).signed(with: key).encoded
        }
    }
}

extension Services {
    var checkpointer: LogCheckpointer { LogCheckpointer(store: store, publisher: publisher, clock: clock) }
}
