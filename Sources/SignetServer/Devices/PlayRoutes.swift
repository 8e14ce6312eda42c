import Hummingbird
import Logging
import SignetCore
import SignetSystem

/// Proofs of play: players hand in signed, chained batches; people read a screen's history.
enum PlayRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/devices/plays") { request, context, _ in
            let screen = context.deviceScreen!
            var request = request
            let bytes = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
            guard let device = try await services.devices.device(screen) else { throw APIError(.unauthorized, "no device is enrolled for \(screen)") }
            let batch: PlayBatch
            do { batch = try PlayBatch(bytes: bytes, key: device.key, screen: screen) } catch {
                services.metrics.deviceRefused("proof")
                throw APIError(.badRequest, "\(error)")
            }
            let stored: StoredPlays
            switch try await services.plays.submit(PlaySubmission(batch: batch, signed: bytes, key: device.key, address: context.clientAddress,
                                                                  at: services.clock.now())) {
            case .success(let plays): stored = plays
            case .failure(let error):
                services.metrics.deviceRefused("proof")
                services.logger.warning("proof of play refused", metadata: ["screen": .string(screen), "error": .string(error.description)])
                throw APIError(.conflict, error.description)
            }
            services.metrics.playsRecorded(stored.added)
            if stored.added > 0 { services.metrics.audited("play.batch") }
            return JSONBody.response(["screen": .string(screen), "added": .integer(Int64(stored.added)),
                                      "through": .integer(stored.head.sequence), "head": .string(stored.head.hash)])
        }

        routes.on(.get, "/api/v1/screens/{id}/plays") { request, context, principal in
            let id = context.parameters.get("id") ?? ""
            try await services.checkScreenAccess(id, principal!.account)
            func time(_ name: String) throws -> Instant? {
                guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
                guard let instant = Instant(iso8601: String(text)) else { throw APIError(.badRequest, "\(name): YYYY-MM-DDTHH:MM[:SS] with Z or an offset") }
                return instant
            }
            let to = try time("to") ?? services.clock.now()
            let from = try time("from") ?? to.adding(milliseconds: -86_400_000)
            guard from.millisecondsSince1970 <= to.millisecondsSince1970 else { throw APIError(.badRequest, "from must not be after to") }
            let limit = Int(request.uri.queryParameters["limit"].map(String.init) ?? "1000") ?? 0
            guard (1...10_000).contains(limit) else { throw APIError(.badRequest, "limit: 1 to 10000") }
            let plays = try await services.store.plays(screen: id, from: from.millisecondsSince1970, to: to.millisecondsSince1970, limit: limit)
            return JSONBody.response(["screen": .string(id), "from": .string(from.iso8601), "to": .string(to.iso8601),
                                      "plays": .array(plays.map(describe))])
        }
    }

    static func describe(_ stored: StoredPlayRecord) -> JSONValue {
        let record = stored.record
        var object: JSONObject = ["sequence": .integer(record.sequence), "key": .string(stored.keyID), "mode": .string(record.mode.rawValue),
                                  "start": .string(Instant(millisecondsSince1970: record.start).iso8601),
                                  "end": .string(Instant(millisecondsSince1970: record.end).iso8601),
                                  "previous": .string(record.previous), "hash": .string(stored.hash), "batch": .integer(stored.batch)]
        if let slide = record.slide { object["slide"] = .string(slide) }
        if let release = record.release { object["release"] = .integer(release) }
        if let fingerprint = record.fingerprint { object["fingerprint"] = .string(fingerprint) }
        if let expected = record.expected { object["expected"] = .string(expected) }
        if let capture = record.capture { object["capture"] = .string(capture.rawValue) }
        if let captured = record.captured { object["captured"] = .string(captured) }
        if let contained = record.contained { object["contained"] = .string(contained) }
        return .object(object)
    }
}
