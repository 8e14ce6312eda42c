import Foundation
import Hummingbird
import SignetTUFClient
import NIOCore
import HTTPTypes
import SignetCore
import SignetSystem

/// Screens, their groups, and binding a device's key to a screen with a one-time token.
enum ScreenRoutes {
    static let enrollmentHours: Int64 = 24

    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/api/v1/screens") { _, _, principal in
            JSONBody.response(["screens": .array(try await services.screenList(for: principal!.account))])
        }

        routes.on(.post, "/api/v1/screens") { request, context, principal in
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["id", "name", "width", "height", "time_zone", "groups"])
            let id = try body.text("id", maxLength: 64)
            guard ReleaseScope.isValidName(id) else { throw APIError(.badRequest, "id: lowercase letters, digits and - only") }
            let name = try body.text("name", maxLength: 200)
            func size(_ key: String) throws -> Int {
                guard let value = body[key]?.integerValue, (1...16_384).contains(value) else {
                    throw APIError(.badRequest, "\(key): an integer from 1 to 16384 (pixels)")
                }
                return Int(value)
            }
            let width = try size("width"), height = try size("height")
            let zone = try body.text("time_zone", maxLength: 64)
            guard ZonedCalendar(identifier: zone) != nil else { throw APIError(.badRequest, "time_zone: \"\(zone)\" is not a time zone of the tz database") }
            let groups = try body.groupNames()
            guard try await !services.store.screenExists(id) else { throw APIError(.conflict, "id: a screen \(id) exists") }
            try await services.store.createScreen(id: id, name: name, width: width, height: height, timeZone: zone, groups: groups,
                                                  at: services.clock.now())
            try await services.audit(principal!.account.name, "screen.create", id, context.clientAddress,
                                     ["width": .integer(Int64(width)), "height": .integer(Int64(height)), "time_zone": .string(zone),
                                      "groups": .array(groups.map(JSONValue.string))])
            let record = try await services.store.screen(id: id)!
            return JSONBody.response(describe(record), status: .created)
        }

        routes.on(.get, "/api/v1/screens/{id}/thumbnail") { _, context, principal in
            let id = context.parameters.get("id") ?? ""
            try await services.checkScreenAccess(id, principal!.account)
            let path = "\(services.thumbnailFolder)/\(id).png"
            guard let bytes = try AtomicFile.read(path, maxBytes: 1 << 20),
                  let taken = try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            else { throw APIError(.notFound, "no thumbnail of \(id) yet: send it a screenshot command") }
            var headers = HTTPFields()
            headers[.contentType] = "image/png"
            headers[HTTPField.Name("X-Signet-Taken-At")!] = Instant(millisecondsSince1970: Int64(taken.timeIntervalSince1970 * 1000)).iso8601
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }

        routes.on(.post, "/api/v1/screens/{id}/enrollment") { _, context, principal in
            let id = context.parameters.get("id") ?? ""
            try await services.checkScreenAccess(id, principal!.account)
            let token = Secrets.token()
            let expires = services.clock.now().adding(milliseconds: enrollmentHours * 3_600_000)
            try await services.store.createEnrollment(tokenHash: Secrets.hash(token), screenID: id, createdBy: principal!.account.name,
                                                      expires: expires)
            try await services.audit(principal!.account.name, "enrollment.create", id, context.clientAddress, ["expires": .string(expires.iso8601)])
            return JSONBody.response(["screen": .string(id), "token": .string(token), "expires": .string(expires.iso8601),
                                      "note": "one use; give it to the player: signet player --enroll TOKEN"], status: .created)
        }

        routes.on(.post, "/api/v1/enroll") { request, context, _ in
            guard await services.throttle.allow(address: context.clientAddress, now: services.clock.now()) else {
                throw APIError(.tooManyRequests, "too many attempts from this address; wait a minute")
            }
            let body = try await JSONBody.object(request, context: context)
            try body.refuseUnknown(["token", "public_key"])
            let token = try body.text("token", maxLength: 100)
            guard let keyValue = body["public_key"] else { throw APIError(.badRequest, "public_key: a TUF public key object is required") }
            let key: PublicKey
            do { key = try PublicKey(json: keyValue, context: "public_key") } catch { throw APIError(.badRequest, "\(error)") }
            guard key.keyType == "ed25519", key.scheme == "ed25519", key.publicValue.utf8.count == 64, Hex.decode(key.publicValue) != nil else {
                throw APIError(.badRequest, "public_key: device keys are Ed25519 (keytype and scheme ed25519, 32 bytes in hex)")
            }
            guard let bound = try await services.store.enroll(tokenHash: Secrets.hash(token), key: key, now: services.clock.now(),
                                                              address: context.clientAddress)
            else {
                try await services.audit("device", "enrollment.refused", key.keyID, context.clientAddress)
                throw APIError(.forbidden, "the enrollment token is unknown, used or expired")
            }
            await services.devices.forget(bound.screen)
            await services.hub.disconnect(screen: bound.screen)
            await services.replicas.announce(.enrolled(screen: bound.screen))
            var detail: JSONObject = ["key_id": .string(key.keyID)]
            if let replaced = bound.replaced { detail["replaced_key_id"] = .string(replaced) }
            try await services.audit("device \(key.keyID.prefix(16))", "device.enroll", bound.screen, context.clientAddress, detail)
            return JSONBody.response(["screen": .string(bound.screen), "key_id": .string(key.keyID),
                                      "repository": "/repository/metadata/"], status: .created)
        }
    }

    static func describe(_ screen: ScreenRecord) -> JSONObject {
        var object: JSONObject = ["id": .string(screen.id), "name": .string(screen.name), "width": .integer(Int64(screen.width)),
                                  "height": .integer(Int64(screen.height)), "time_zone": .string(screen.timeZone),
                                  "groups": .array(screen.groups.map(JSONValue.string))]
        object["device_key_id"] = screen.deviceKeyID.map(JSONValue.string) ?? .null
        return object
    }
}

extension Services {
    /// A screen the account may act on: it exists, and shares a group with an account that is
    /// limited to groups. Both failures read alike, so that limited accounts learn nothing of
    /// screens outside their groups.
    func checkScreenAccess(_ id: String, _ account: Account) async throws {
        guard let screen = try await store.screen(id: id), account.covers(screen.groups) else {
            throw APIError(.notFound, "no screen \(id) in your groups")
        }
    }
}

extension Services {
    /// The screens `account` may see, each with its last heartbeat and whether it came recently
    /// enough to call the screen online (the screen list, and the console's wall).
    func screenList(for account: Account) async throws -> [JSONValue] {
        let visible = try await store.screens().filter { account.covers($0.groups) }
        let now = clock.now()
        let states = await devices.wallStates(visible.map(\.id))
        var screens: [JSONValue] = []
        for (screen, state) in zip(visible, states) {
            var object = ScreenRoutes.describe(screen)
            if let status = state.status {
                object["last_seen"] = .string(status.lastSeen.iso8601)
                object["online"] = .bool(now.millisecondsSince1970 - status.lastSeen.millisecondsSince1970 <= Int64(config.offlineAfterSeconds) * 1000)
                object["heartbeat"] = (try? JSONParser().parse(status.heartbeat)) ?? .null
            } else {
                object["online"] = false
            }
            if let thumbnail = state.thumbnailAt { object["thumbnail_at"] = .string(thumbnail.iso8601) }
            screens.append(.object(object))
        }
        return screens
    }
}
