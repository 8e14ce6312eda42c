#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SignetCore
import SignetSystem
import SignetRender

/// Image uploads: streamed to disk under a size limit while hashed, typed by their bytes (never
/// by name or Content-Type), checked to decode within the pixel limits, stored once by sha256.
enum AssetRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/assets") { request, context, principal in
            let name = String(request.uri.queryParameters["name"] ?? "upload")
            // The name is only a label (files are stored by sha256), but one that looks like a path
            // would mislead whoever exports or downloads it later.
            guard !name.isEmpty, name.count <= 200, !name.hasPrefix("."),
                  !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "/" || $0 == "\\" })
            else {
                throw APIError(.badRequest, "name: a file name of 1 to 200 characters: no folders (/ or \\), no leading dot, no control characters")
            }
            let uploaded = try await services.assets.store(request.body, name: name, uploadedBy: principal!.account.name,
                                                           at: services.clock.now())
            guard try await services.store.insertAsset(uploaded) else {
                // The same bytes are stored already: one copy, the first upload's record.
                return JSONBody.response(describe(try await services.store.asset(sha256: uploaded.sha256) ?? uploaded), status: .ok)
            }
            try await services.audit(principal!.account.name, "asset.upload", uploaded.sha256, context.clientAddress,
                                     ["name": .string(name), "bytes": .integer(uploaded.bytes), "type": .string(uploaded.kind)])
            return JSONBody.response(describe(uploaded), status: .created)
        }

        routes.on(.get, "/api/v1/assets") { _, _, _ in
            JSONBody.response(["assets": .array(try await services.store.assets().map { .object(describe($0)) })])
        }

        routes.on(.get, "/api/v1/assets/{sha256}") { _, context, _ in
            let hash = context.parameters.get("sha256") ?? ""
            guard HashAlgorithm.isSHA256Hex(hash), let asset = try await services.store.asset(sha256: hash) else {
                throw APIError(.notFound, "no asset with that sha256")
            }
            let body = try await FileIO().loadFile(path: services.assets.path(hash), context: context)
            return Response(status: .ok, headers: [.contentType: asset.kind == "png" ? "image/png" : "image/jpeg",
                                                   .cacheControl: "private, max-age=31536000, immutable"], body: body)
        }
    }

    static func describe(_ asset: StoredAsset) -> JSONObject {
        ["sha256": .string(asset.sha256), "type": .string(asset.kind), "width": .integer(Int64(asset.width)),
         "height": .integer(Int64(asset.height)), "bytes": .integer(asset.bytes), "name": .string(asset.name),
         "uploaded_by": .string(asset.uploadedBy), "uploaded_at": .string(asset.uploadedAt.iso8601)]
    }
}

/// Asset files in the data folder: `assets/SHA256`, written through a temporary file.
struct AssetFiles: Sendable {
    let directory: String
    let maxBytes: Int

    func path(_ hash: String) -> String { "\(directory)/\(hash)" }

    /// Streams an upload to `assets/SHA256` and describes it; refuses what is too large, empty,
    /// not a PNG or JPEG, or does not decode within the renderer's limits.
    func store(_ body: RequestBody, name: String, uploadedBy: String, at now: Instant) async throws -> StoredAsset {
        try FileManager.default.createDirectory(atPath: "\(directory)/incoming", withIntermediateDirectories: true)
        let temporary = "\(directory)/incoming/\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary)
        else { throw APIError(.internalServerError, "cannot store uploads") }
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var hasher = SHA256()
        var total = 0
        do {
            defer { try? handle.close() }
            for try await buffer in body {
                total += buffer.readableBytes
                guard total <= maxBytes else { throw APIError(.contentTooLarge, "an asset may be at most \(maxBytes) bytes") }
                let bytes = Array(buffer.readableBytesView)
                hasher.update(data: bytes)
                try handle.write(contentsOf: bytes)
            }
            try handle.synchronize()
        }
        guard total > 0 else { throw APIError(.badRequest, "the upload is empty") }
        let hash = Hex.encode(hasher.finalize())
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: temporary)))
        guard let kind = ImageDecoder.Kind(sniffing: bytes) else {
            throw APIError(.unsupportedMediaType, "not a PNG or JPEG image (by its first bytes)")
        }
        let image: Canvas
        do { image = try ImageDecoder.decode(bytes) } catch { throw APIError(.unprocessableContent, "\(name): \(error.description)") }
        let asset = StoredAsset(sha256: hash, kind: kind.rawValue, width: image.width, height: image.height, bytes: Int64(total),
                                name: name, uploadedBy: uploadedBy, uploadedAt: now)
        // rename(2) replaces atomically: two uploads of the same bytes leave one good file.
        guard rename(temporary, path(hash)) == 0 else { throw APIError(.internalServerError, "cannot store the asset") }
        return asset
    }
}
