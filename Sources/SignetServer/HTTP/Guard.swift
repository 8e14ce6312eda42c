import Hummingbird
import HummingbirdWebSocket
import HTTPTypes
import NIOCore
import SignetCore
import SignetSystem

/// Registers routes only through the access table: each handler runs after the caller has been
/// identified, admitted by `AccessRules`, and (for browser sessions changing state) has shown the
/// session's CSRF token.
struct GuardedRouter {
    let router: Router<AppRequestContext>
    let services: Services

    static let sessionCookie = "signet_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func on(_ method: HTTPRequest.Method, _ path: String,
            _ handler: @escaping @Sendable (Request, AppRequestContext, Principal?) async throws -> Response) {
        guard let rule = AccessRules.rule(method, path) else {
            preconditionFailure("\(method) \(path) has no rule in AccessRules.table")
        }
        let services = self.services
        router.on(RouterPath(path), method: method) { request, context in
            var request = request, context = context
            if rule.audience == .device {
                let body = try await request.collectBody(upTo: context.maxUploadSize)
                context.deviceScreen = try await services.authenticateDevice(request, body: body)
                return try await handler(request, context, nil)
            }
            let principal = try await services.identify(request)
            switch rule.audience {
            case .anyone, .device:
                break
            case .signedIn, .roles:
                guard let principal else { throw APIError.unauthenticated }
                guard AccessRules.allows(rule.audience, principal.account.role) else {
                    throw APIError(.forbidden, "the \(principal.account.role.rawValue) role may not \(method) \(path)")
                }
                if case .session(let csrf) = principal.credential, ![.get, .head, .options].contains(method) {
                    guard let sent = request.headers[Self.csrfHeader], Secrets.equal(sent, csrf) else {
                        throw APIError(.forbidden, "missing or wrong X-CSRF-Token header (GET /api/v1/session gives it)")
                    }
                }
                // An account with a one-time password, or one whose role requires TOTP that has not
                // enrolled an authenticator, may only see its session and put that right.
                let remedies = ["/api/v1/session", "/api/v1/me/password", "/api/v1/me/totp", "/api/v1/me/totp/confirm"]
                if principal.account.mustChangePassword, !remedies.contains(path) {
                    throw APIError(.forbidden, "change the one-time password first (POST /api/v1/me/password)")
                }
                if !principal.account.hasTOTP, services.config.requireTOTP.contains(principal.account.role), !remedies.contains(path) {
                    throw APIError(.forbidden, "the \(principal.account.role.rawValue) role signs in with TOTP: enrol an authenticator first (POST /api/v1/me/totp)")
                }
            }
            return try await handler(request, context, principal)
        }
    }
}

extension GuardedRouter {
    /// A device's WebSocket: the upgrade request is authenticated like any device request (signed,
    /// in time order, within the clock skew), then `handler` has the channel and the screen.
    func webSocket(_ path: String, _ handler: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter, _ channel: any Channel,
                                                                   _ screen: String, _ address: String) async throws -> Void) {
        guard let rule = AccessRules.rule(.get, path), rule.audience == .device else {
            preconditionFailure("GET \(path) has no device rule in AccessRules.table")
        }
        let services = self.services
        router.ws(RouterPath(path), shouldUpgrade: { request, _ in
            _ = try await services.authenticateDevice(request, body: ByteBuffer())
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            let screen = context.request.headers[HTTPField.Name(DeviceSignature.screenHeader)!]!
            try await handler(inbound, outbound, context.requestContext.channel, screen, context.requestContext.clientAddress)
        })
    }
}

extension Services {
    /// The account behind the request's session cookie or bearer token, if any and still valid.
    func identify(_ request: Request) async throws -> Principal? {
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer "), authorization.count > 7 else {
                throw APIError(.unauthorized, "Authorization must be \"Bearer TOKEN\"")
            }
            guard let principal = try await store.apiToken(tokenHash: Secrets.hash(String(authorization.dropFirst(7)))) else {
                throw APIError(.unauthorized, "unknown API token")
            }
            return principal
        }
        guard let token = request.cookies[GuardedRouter.sessionCookie]?.value, !token.isEmpty else { return nil }
        return try await store.session(tokenHash: Secrets.hash(token), now: clock.now())
    }
}
