import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SignetCore

/// What players send: each request is signed with the device key enrolled for its screen.
enum DeviceRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/devices/heartbeat") { request, context, _ in
            let screen = context.deviceScreen!
            let body = try await JSONBody.object(request, context: context, maxBytes: 16 * 1024)
            try body.refuseUnknown(["release", "slide", "fingerprint", "uptime_s", "cache"])
            if let release = body["release"], release.integerValue.map({ $0 >= 0 }) != true {
                throw APIError(.badRequest, "release: a targets version (a whole number)")
            }
            for key in ["slide", "fingerprint"] where body[key] != nil { _ = try body.text(key, maxLength: 200) }
            guard let uptime = body["uptime_s"]?.integerValue, uptime >= 0 else { throw APIError(.badRequest, "uptime_s: seconds since start") }
            if let cache = body["cache"], cache.objectValue == nil { throw APIError(.badRequest, "cache: an object") }
            let now = services.clock.now()
            await services.devices.record(DeviceStatus(screen: screen, lastSeen: now, lastTime: now.millisecondsSince1970,
                                                       heartbeat: JSONWriter.compact.encode(.object(body)), address: context.clientAddress))
            return JSONBody.response(["screen": .string(screen), "accepted": true, "server_time": .string(now.iso8601)])
        }
    }
}

extension Services {
    /// The screen whose enrolled device signed the request; its time is accepted (so the same
    /// request cannot be used twice) before any handler runs.
    func authenticateDevice(_ request: Request, body: ByteBuffer) async throws -> String {
        guard let screen = request.headers[HTTPField.Name(DeviceSignature.screenHeader)!],
              let time = request.headers[HTTPField.Name(DeviceSignature.timeHeader)!],
              let signature = request.headers[HTTPField.Name(DeviceSignature.signatureHeader)!]
        else {
            throw APIError(.unauthorized, "device requests carry \(DeviceSignature.screenHeader), \(DeviceSignature.timeHeader) and \(DeviceSignature.signatureHeader)")
        }
        guard screen.utf8.count <= 64, let device = try await devices.device(screen) else {
            metrics.deviceRefused("unknown")
            throw APIError(.unauthorized, "no device is enrolled for screen \(screen.prefix(64))")
        }
        do {
            let accepted = try DeviceSignature.verify(key: device.key, method: request.method.rawValue, path: request.uri.path, screen: screen,
                                                      time: time, signature: signature, body: body.readableBytesView,
                                                      now: clock.now().millisecondsSince1970, lastTime: device.lastTime)
            try await devices.accept(screen: screen, time: accepted, key: device.key)
        } catch {
            throw refusing(error)
        }
        return screen
    }

    /// A refused device request: counted by reason; a replay is a conflict, anything else unauthorised.
    func refusing(_ refusal: DeviceSignature.Refusal) -> APIError {
        switch refusal {
        case .replayed:
            metrics.deviceRefused("replayed")
            return APIError(.conflict, refusal.description)
        case .skewed:
            metrics.deviceRefused("skewed")
            return APIError(.unauthorized, refusal.description)
        case .badSignature, .malformed:
            metrics.deviceRefused("signature")
            return APIError(.unauthorized, refusal.description)
        }
    }
}
