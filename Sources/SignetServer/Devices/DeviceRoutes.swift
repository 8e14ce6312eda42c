import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import SignetCore
import SignetRender
import SignetTUFClient
import SignetSystem

/// What players send and receive. Every request is signed with the device key enrolled for its
/// screen; the channel is opened by such a request and then carries commands and release notices
/// to the player, and acknowledgements and heartbeats back.
enum DeviceRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/devices/heartbeat") { request, context, _ in
            let screen = context.deviceScreen!
            let body = try await JSONBody.object(request, context: context, maxBytes: 16 * 1024)
            let heartbeat: Heartbeat
            do { heartbeat = try Heartbeat(json: body) } catch { throw APIError(.badRequest, "\(error)") }
            let now = await services.record(heartbeat, screen: screen, address: context.clientAddress)
            return JSONBody.response(["screen": .string(screen), "accepted": true, "server_time": .string(now.iso8601)])
        }

        routes.on(.post, "/api/v1/devices/alert") { request, context, _ in
            let screen = context.deviceScreen!
            let body = try await JSONBody.object(request, context: context, maxBytes: 16 * 1024)
            let alert: DeviceAlert
            do { alert = try DeviceAlert(json: body) } catch { throw APIError(.badRequest, "\(error)") }
            await services.record(alert, screen: screen, address: context.clientAddress)
            return JSONBody.response(["screen": .string(screen), "accepted": true])
        }

        routes.on(.post, "/api/v1/devices/thumbnail") { request, context, _ in
            let screen = context.deviceScreen!
            var request = request
            let bytes = Array(try await request.collectBody(upTo: context.maxUploadSize).readableBytesView)
            do {
                let size = try ImageDecoder.size(of: bytes, kind: .png)
                guard size.width <= 1024, size.height <= 1024 else { throw APIError(.badRequest, "a thumbnail is at most 1024 pixels a side") }
                _ = try ImageDecoder.decode(bytes)
            } catch let error as RenderError {
                throw APIError(.badRequest, "not a PNG image: \(error)")
            }
            try AtomicFile.createDirectory(services.thumbnailFolder, permissions: 0o700)
            try AtomicFile.write(bytes, to: "\(services.thumbnailFolder)/\(screen).png", permissions: 0o600)
            await services.devices.thumbnailReceived(screen, at: services.clock.now())
            return JSONBody.response(["screen": .string(screen), "bytes": .integer(Int64(bytes.count))])
        }

        routes.webSocket("/api/v1/devices/channel") { inbound, outbound, channel, screen, address in
            try await ChannelAcknowledgements.install(on: channel, screen: screen, address: address, queue: services.acknowledgements,
                                                      clock: services.clock)
            let connection = await services.hub.attach(screen: screen, outbound: outbound, channel: channel)
            services.metrics.channel(opened: true)
            services.logger.info("device channel open", metadata: ["screen": .string(screen), "address": .string(address)])
            do {
                // Whatever was issued while the player was away, if it has not expired.
                for command in try await services.store.pendingCommands(screen: screen, now: services.clock.now()) {
                    try await outbound.write(.text(String(decoding: ServerNotice.commandMessage(signed: command.signed), as: UTF8.self)))
                }
                for try await message in inbound.messages(maxSize: ChannelMessage.maxBytes) {
                    guard case .text(let text) = message else { throw ChannelMessageError("binary messages are not part of the protocol") }
                    switch try DeviceReport(bytes: Array(text.utf8)) {
                    case .heartbeat(let heartbeat):
                        await services.record(heartbeat, screen: screen, address: address)
                    case .alert(let alert):
                        await services.record(alert, screen: screen, address: address)
                    case .acknowledgement(let acknowledgement):  // a fragmented one; whole ones are taken off on the event loop
                        services.acknowledgements.add(ReceivedAcknowledgement(acknowledgement: acknowledgement, screen: screen,
                                                                                    address: address, at: services.clock.now()))
                    }
                }
            } catch let error as ChannelMessageError {
                services.metrics.deviceRefused("message")
                services.logger.warning("device message refused; channel closed", metadata: ["screen": .string(screen), "error": .string(error.description)])
                try? await outbound.close(.policyViolation, reason: String(error.description.prefix(100)))
            } catch {
                services.logger.info("device channel error", metadata: ["screen": .string(screen), "error": .string("\(error)")])
            }
            await services.hub.detach(screen: screen, id: connection)
            services.metrics.channel(opened: false)
            services.logger.info("device channel closed", metadata: ["screen": .string(screen)])
        }
    }
}

extension Services {
    /// A heartbeat, over the channel or HTTP; held in memory and saved with the next batch.
    @discardableResult
    func record(_ heartbeat: Heartbeat, screen: String, address: String) async -> Instant {
        let now = clock.now()
        let previous = await devices.record(DeviceStatus(screen: screen, lastSeen: now, lastTime: now.millisecondsSince1970,
                                                         heartbeat: JSONWriter.compact.encode(.object(heartbeat.jsonObject())), address: address),
                                            release: heartbeat.release)
        metrics.releaseReported(heartbeat.release, previously: previous)
        // A player that saw the transparency log fork or roll back: an alert here too, once (the
        // player keeps reporting it; a compromised server could hide it, the player's own log not).
        if let alert = heartbeat.logAlert, await devices.firstLogAlert(screen) {
            logger.critical("a player saw the transparency log fork or roll back", metadata: ["screen": .string(screen), "why": .string(alert)])
            do { try await audit("device \(screen)", "alert.log.fork", screen, address, ["why": .string(alert)]) } catch {
                logger.error("alert not recorded", metadata: ["screen": .string(screen), "error": .string("\(error)")])
            }
        }
        return now
    }

    /// A player's alert: an audit event (`alert.display.KIND` with the class and the evidence, or
    /// `alert.update.refused`) in the transparency log at once, and a line in the server's log.
    func record(_ alert: DeviceAlert, screen: String, address: String) async {
        var detail = alert.jsonObject()
        detail["device_at"] = detail["at"]
        detail["at"] = nil
        let level: Logger.Level = alert.kind == .containment || alert.kind == .captureRestored ? .warning : .critical
        logger.log(level: level, "device alert", metadata: ["screen": .string(screen), "kind": .string(alert.kind.rawValue),
                                                             "class": .string(alert.classification?.rawValue ?? "-"),
                                                             "step": .string(alert.step ?? "-"), "slide": .string(alert.slide ?? "-")])
        do { try await audit("device \(screen)", alert.action, screen, address, detail) } catch {
            logger.error("alert not recorded", metadata: ["screen": .string(screen), "error": .string("\(error)")])
        }
    }

    /// A player's acknowledgement over HTTP: recorded and audited at once; false if the command is
    /// not this screen's or was acknowledged already. (The channel's go through the batching queue.)
    func acknowledge(_ acknowledgement: Acknowledgement, screen: String, address: String) async throws -> Bool {
        guard try await store.acknowledge(command: acknowledgement.command, screen: screen, result: acknowledgement.summary, at: clock.now())
        else {
            if try await store.lateRefusal(ReceivedAcknowledgement(acknowledgement: acknowledgement, screen: screen, address: address, at: clock.now())) {
                metrics.audited("alert.command.refused")
            }
            return false
        }
        try await audit("device \(screen)", "command.ack", "command \(acknowledgement.command)", address, ["result": .string(acknowledgement.summary)])
        metrics.acknowledged(acknowledgement)
        return true
    }

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
