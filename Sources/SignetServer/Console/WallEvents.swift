import Foundation
import Hummingbird
import ServiceLifecycle
import SignetCore
import SignetSystem

/// The wall's live updates as server-sent events: the screens the user may see, sent when they
/// change (checked every `interval`), with a comment every 15 s so that proxies keep the stream
/// open. The stream ends when the client goes or the server shuts down. A client that does not
/// ask for `text/event-stream` (as EventSource does) gets the current list once, as JSON.
enum WallEvents {
    static let interval = Duration.milliseconds(500)
    static let credentialCheck = Duration.seconds(5)

    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.get, "/api/v1/wall/events") { request, _, principal in
            let account = principal!.account
            guard request.headers[.accept]?.contains("text/event-stream") == true else {
                return JSONBody.response(["screens": .array(try await services.screenList(for: account)), "at": .string(services.clock.now().iso8601)])
            }
            let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                var last: [UInt8] = [], quiet = ContinuousClock.now, checked = ContinuousClock.now
                var account = account
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    // The stream lives as long as its credential: signed out, expired or replaced, it
                    // ends; the account's groups are read again, so a change of rights applies.
                    if ContinuousClock.now - checked > credentialCheck {
                        checked = ContinuousClock.now
                        guard let still = try await services.identify(request), still.account.id == account.id else { break }
                        account = still.account
                    }
                    let screens = JSONValue.array(try await services.screenList(for: account))
                    let comparable = JSONWriter.compact.encode(screens)
                    if comparable != last {
                        last = comparable
                        quiet = ContinuousClock.now
                        let data = JSONWriter.compact.encode(.object(["screens": screens, "at": .string(services.clock.now().iso8601)]))
                        try await writer.write(ByteBuffer(bytes: Array("event: screens\ndata: ".utf8) + data + Array("\n\n".utf8)))
                    } else if ContinuousClock.now - quiet > .seconds(15) {
                        quiet = ContinuousClock.now
                        try await writer.write(ByteBuffer(string: ": still here\n\n"))
                    }
                    try await Task.sleep(for: interval)
                }
                try await writer.finish(nil)
            })
        }
    }
}
