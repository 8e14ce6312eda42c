import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SignetCore
import SignetSystem
import SignetTUFRepository
import SignetRender

/// The programme editors work on, checked against the screens and assets the server knows, and a
/// preview of any screen at any time, rendered as its player would.
enum ProgrammeRoutes {
    static let maxDocumentBytes = 8 * 1024 * 1024

    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.put, "/api/v1/programme") { request, context, principal in
            let draft = try await JSONBody.object(request, context: context, maxBytes: maxDocumentBytes)
            let expected = try request.uri.queryParameters["version"].map { text -> Int64 in
                guard let version = Int64(text), version >= 0 else { throw APIError(.badRequest, "version: a whole number") }
                return version
            }
            let programme = try checkedProgramme(try await services.complete(draft))
            try await services.checkProgrammeScope(programme, account: principal!.account)
            let bytes = programme.canonicalBytes
            guard let version = try await services.store.saveProgramme(bytes, expectedVersion: expected, by: principal!.account.name,
                                                                       at: services.clock.now())
            else { throw APIError(.conflict, "version: someone saved a newer version; reload and edit that") }
            let hash = HashAlgorithm.digest("sha256", of: bytes)!
            try await services.audit(principal!.account.name, "programme.save", "programme v\(version)", context.clientAddress,
                                     ["sha256": .string(hash), "bytes": .integer(Int64(bytes.count))])
            return JSONBody.response(["version": .integer(version), "sha256": .string(hash),
                                      "screens": .array(programme.screens.keys.sorted().map(JSONValue.string))], status: .created)
        }

        routes.on(.get, "/api/v1/programme") { _, _, _ in
            guard let draft = try await services.store.latestProgramme() else { throw APIError(.notFound, "no programme saved yet") }
            // The stored document is already compact canonical JSON: it goes in as it is, first,
            // so the keys stay sorted ("document" < "updated_at").
            let rest = JSONWriter.compact.encode(.object(["version": .integer(draft.version), "updated_by": .string(draft.updatedBy),
                                                          "updated_at": .string(draft.updatedAt.iso8601)]))
            var bytes = Array(#"{"document":"#.utf8)
            bytes.reserveCapacity(draft.document.count + rest.count + 16)
            bytes += draft.document
            bytes.append(UInt8(ascii: ","))
            bytes += rest.dropFirst()
            bytes.append(UInt8(ascii: "\n"))
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }

        routes.on(.get, "/api/v1/screens/{id}/timeline") { request, context, principal in
            let id = context.parameters.get("id") ?? ""
            try await services.checkScreenAccess(id, principal!.account)
            // The published programme that names the screen, unless ?programme=N asks for a saved version.
            let chosen: (version: Int64, document: [UInt8], published: Bool)
            if let text = request.uri.queryParameters["programme"] {
                guard let version = Int64(text), let bytes = try await services.store.programme(version: version) else {
                    throw APIError(.notFound, "programme: no such programme version")
                }
                chosen = (version, bytes, false)
            } else {
                guard let published = try await services.publishedProgramme(naming: id) else {
                    throw APIError(.notFound, "no published release names screen \(id)")
                }
                chosen = (published.version, published.document, true)
            }
            let engine: ScheduleEngine
            do { engine = try ScheduleEngine(programme: try Programme(bytes: chosen.document), screen: id) } catch {
                throw APIError(.notFound, "screen \(id) is not in programme v\(chosen.version)")
            }
            func instant(_ name: String, _ fallback: Instant) throws -> Instant {
                guard let text = request.uri.queryParameters[Substring(name)] else { return fallback }
                guard let parsed = LocalDateTime.parse(String(text)) else {
                    throw APIError(.badRequest, "\(name): YYYY-MM-DDTHH:MM[:SS] with Z, an offset, or nothing for the screen's own clock")
                }
                return engine.calendar.instant(parsed)
            }
            let from = try instant("from", services.clock.now())
            var days: Int64 = 1
            if let text = request.uri.queryParameters["days"] {
                guard let value = Int64(text), (1...31).contains(value) else { throw APIError(.badRequest, "days: 1 to 31") }
                days = value
            }
            let to = try instant("to", from.adding(milliseconds: days * 86_400_000))
            guard from < to, to.millisecondsSince1970 - from.millisecondsSince1970 <= 31 * 86_400_000 else {
                throw APIError(.badRequest, "from must be before to, at most 31 days apart")
            }
            return JSONBody.response([
                "screen": .string(id), "time_zone": .string(engine.screen.timeZone), "programme_version": .integer(chosen.version),
                "published": .bool(chosen.published), "from": .string(from.iso8601), "to": .string(to.iso8601),
                "showings": .array(engine.timeline(from: from, to: to).merged().map(\.jsonValue)),
            ])
        }

        routes.on(.get, "/api/v1/screens/{id}/preview") { request, context, principal in
            let id = context.parameters.get("id") ?? ""
            try await services.checkScreenAccess(id, principal!.account)
            // ?programme=N previews a saved version (a release's before and after); the latest otherwise.
            let draft: (version: Int64, document: [UInt8])
            if let text = request.uri.queryParameters["programme"] {
                guard let version = Int64(text), let bytes = try await services.store.programme(version: version) else {
                    throw APIError(.notFound, "programme: no such programme version")
                }
                draft = (version, bytes)
            } else {
                guard let latest = try await services.store.latestProgramme() else { throw APIError(.notFound, "no programme saved yet") }
                draft = (latest.version, latest.document)
            }
            let programme: Programme
            do { programme = try Programme(bytes: draft.document) } catch {
                throw APIError(.internalServerError, "stored programme v\(draft.version) does not parse: \(error)")
            }
            let engine: ScheduleEngine
            do { engine = try ScheduleEngine(programme: programme, screen: id) } catch {
                throw APIError(.notFound, "screen \(id) is not in programme v\(draft.version)")
            }
            var instant = services.clock.now()
            if let text = request.uri.queryParameters["at"] {
                guard let parsed = LocalDateTime.parse(String(text)) else {
                    throw APIError(.badRequest, "at: YYYY-MM-DDTHH:MM[:SS] with Z, an offset, or nothing for the screen's own clock")
                }
                instant = engine.calendar.instant(parsed)
            }
            guard let typeface = services.typeface else { throw APIError(.serviceUnavailable, "the renderer's font could not be loaded") }
            let assets = services.assets
            var frames = ScreenFrames(engine: engine, renderer: SlideRenderer(typeface: typeface)) { hash in
                HashAlgorithm.isSHA256Hex(hash) ? (try? Data(contentsOf: URL(fileURLWithPath: assets.path(hash)))).map(Array.init) : nil
            }
            let canvas: Canvas, showing: Showing
            do { (canvas, showing) = try frames.frame(at: instant) } catch {
                throw APIError(.unprocessableContent, "cannot render \(id) at \(instant): \(error)")
            }
            let png = try PNGEncoder.encode(canvas)
            var headers: HTTPFields = [.contentType: "image/png", .cacheControl: "no-store"]
            headers[SignetHeaders.slide] = showing.slide ?? "(black)"
            headers[SignetHeaders.source] = showing.source.description
            headers[SignetHeaders.at] = instant.iso8601
            headers[SignetHeaders.programmeVersion] = String(draft.version)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
        }
    }
}

/// A completed draft read and checked as a programme, or a 422 naming the field at fault.
func checkedProgramme(_ completed: JSONObject) throws(APIError) -> Programme {
    do {
        let programme = try Programme(json: .object(completed))
        try programme.validate()
        return programme
    } catch {
        throw APIError(error)
    }
}

enum SignetHeaders {
    static let slide = HTTPField.Name("X-Signet-Slide")!
    static let source = HTTPField.Name("X-Signet-Source")!
    static let at = HTTPField.Name("X-Signet-At")!
    static let programmeVersion = HTTPField.Name("X-Signet-Programme-Version")!
}

extension Services {
    /// An account limited to screen groups may change the programme only where it reaches their
    /// screens: the part for every other screen must stay exactly as it was.
    func checkProgrammeScope(_ programme: Programme, account: Account) async throws {
        guard !account.groups.isEmpty else { return }
        let previous = try await store.latestProgramme().flatMap { try? Programme(bytes: $0.document) }
        let screens = Array(programme.screens.values) + Array(previous?.screens.values ?? [:].values)
        let outside = Set(screens.filter { !account.covers($0.groups) }.map(\.id))
        guard !outside.isEmpty else { return }
        let before = try previous.map { try $0.restricted(to: outside).canonicalBytes }
        guard try programme.restricted(to: outside).canonicalBytes == before else {
            throw APIError(.forbidden, "programme: this change reaches screens outside your groups (\(outside.sorted().joined(separator: ", ")))")
        }
    }

    /// Completes a draft from the registry: each screen's size, time zone and groups, and each
    /// asset's type and size, come from what the server has, so editors name screens and assets
    /// and cannot get them wrong.
    func complete(_ draft: JSONObject) async throws -> JSONObject {
        var document = draft
        if let screens = draft["screens"]?.objectValue {
            let registered = Dictionary(uniqueKeysWithValues: try await store.screens().map { ($0.id, $0) })
            var completed = JSONObject()
            for member in screens.members {
                guard let record = registered[member.key] else {
                    throw APIError(ProgrammeError("programme.screens.\(member.key)", "no screen \(member.key) is registered"))
                }
                guard var screen = member.value.objectValue else {
                    throw APIError(ProgrammeError("programme.screens.\(member.key)", "must be an object"))
                }
                screen["width"] = .integer(Int64(record.width))
                screen["height"] = .integer(Int64(record.height))
                screen["time_zone"] = .string(record.timeZone)
                screen["groups"] = .array(record.groups.map(JSONValue.string))
                completed[member.key] = .object(screen)
            }
            document["screens"] = .object(completed)
        }
        if let assets = draft["assets"]?.objectValue {
            var completed = JSONObject()
            for member in assets.members {
                guard HashAlgorithm.isSHA256Hex(member.key), let record = try await store.asset(sha256: member.key) else {
                    throw APIError(ProgrammeError("programme.assets.\(member.key)", "no uploaded asset has this sha256"))
                }
                completed[member.key] = .object(["type": .string(record.kind), "width": .integer(Int64(record.width)),
                                                 "height": .integer(Int64(record.height))])
            }
            document["assets"] = .object(completed)
        }
        return document
    }
}

extension Services {
    /// The published programme that names `screen`: its group's release if a group role names it,
    /// else the network's.
    func publishedProgramme(naming screen: String) async throws -> (version: Int64, document: [UInt8])? {
        let metadata = try publisher.repository.load()
        let roles = metadata.targetsRoles.entries.sorted { ($0.key == Targets.type ? 1 : 0) < ($1.key == Targets.type ? 1 : 0) }
        for role in roles {
            let path = ReleaseScope.programmePath(group: ReleaseScope.group(ofRole: role.key))
            guard let version = role.value.signed.targets[path]?.custom?.objectValue?["programme_version"]?.integerValue,
                  let document = try await store.programme(version: version),
                  (try? Programme(bytes: document))?.screens[screen] != nil else { continue }
            return (version, document)
        }
        return nil
    }
}
