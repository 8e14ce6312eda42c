import HTTPTypes

/// The one table that decides who may call what: every route the server has is listed here with
/// the roles it admits, and a route that is not listed cannot be registered.
public enum AccessRules {
    public enum Audience: Sendable, Equatable {
        /// No account needed (signing in, health).
        case anyone
        /// Any signed-in account, whatever its role (its own session, its own password).
        case signedIn
        case roles(Set<Role>)
        /// An enrolled device, by a signature with its own key over each request (no account).
        case device
    }

    public struct Rule: Sendable {
        public let method: HTTPRequest.Method
        public let path: String
        public let audience: Audience
    }

    static let everyone = Set(Role.allCases)

    public static let table: [Rule] = [
        Rule(method: .get, path: "/health", audience: .anyone),
        Rule(method: .get, path: "/openapi.json", audience: .anyone),
        // Prometheus scrapes with an API token (authorization: credentials in its config).
        Rule(method: .get, path: "/metrics", audience: .signedIn),
        Rule(method: .get, path: "/repository/**", audience: .anyone),
        // The console's files hold no data (the API checks who asks for it).
        Rule(method: .get, path: "/console", audience: .anyone),
        Rule(method: .get, path: "/console/**", audience: .anyone),
        Rule(method: .get, path: "/api/v1/wall/events", audience: .signedIn),
        // The transparency log: hashes and signed checkpoints for anyone, entries for people.
        Rule(method: .get, path: "/log/checkpoint", audience: .anyone),
        Rule(method: .get, path: "/log/tile/**", audience: .anyone),
        Rule(method: .get, path: "/log/tile/entries/**", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/log/consistency", audience: .anyone),
        Rule(method: .get, path: "/api/v1/log/inclusion", audience: .anyone),
        Rule(method: .post, path: "/api/v1/session", audience: .anyone),
        // A device enrolls with a one-time token, which is its credential.
        Rule(method: .post, path: "/api/v1/enroll", audience: .anyone),
        Rule(method: .post, path: "/api/v1/devices/heartbeat", audience: .device),
        // A render or display mismatch, a capture fault, a containment step (while the channel is down).
        Rule(method: .post, path: "/api/v1/devices/alert", audience: .device),
        Rule(method: .get, path: "/api/v1/devices/commands", audience: .device),
        // The player's WebSocket: opened by a signed request, then commands in, reports out.
        Rule(method: .get, path: "/api/v1/devices/channel", audience: .device),
        // A thumbnail of what the screen shows, sent after a screenshot command.
        Rule(method: .post, path: "/api/v1/devices/thumbnail", audience: .device),
        Rule(method: .get, path: "/api/v1/screens/{id}/thumbnail", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/devices/commands/{id}/ack", audience: .device),
        // Proofs of play: signed, chained batches in; a screen's history out.
        Rule(method: .post, path: "/api/v1/devices/plays", audience: .device),
        Rule(method: .get, path: "/api/v1/screens/{id}/plays", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/screens/{id}/forensics", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/commands", audience: .roles([.operator, .admin])),
        Rule(method: .get, path: "/api/v1/commands", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/session", audience: .signedIn),
        Rule(method: .delete, path: "/api/v1/session", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/me/password", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/me/tokens", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/me/totp", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/me/totp/confirm", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/screens", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/screens", audience: .roles([.admin])),
        Rule(method: .post, path: "/api/v1/screens/{id}/enrollment", audience: .roles([.admin, .operator])),
        Rule(method: .get, path: "/api/v1/screens/{id}/preview", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/screens/{id}/timeline", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/programme", audience: .signedIn),
        Rule(method: .put, path: "/api/v1/programme", audience: .roles([.editor, .admin])),
        Rule(method: .post, path: "/api/v1/programme/preview", audience: .roles([.editor, .admin])),
        Rule(method: .get, path: "/api/v1/releases", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/releases/{id}", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/releases", audience: .roles([.editor, .admin])),
        // The signature is what counts (a key the root names); the role says who may hand it in.
        Rule(method: .post, path: "/api/v1/releases/{id}/signatures", audience: .roles([.approver])),
        Rule(method: .get, path: "/api/v1/releases/{id}/programme", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/programmes/{version}", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/groups", audience: .signedIn),
        // A group's own approvers take effect only through a release the network's approvers sign.
        Rule(method: .put, path: "/api/v1/groups/{group}/approvers", audience: .roles([.admin])),
        Rule(method: .get, path: "/api/v1/accounts", audience: .roles([.admin])),
        Rule(method: .post, path: "/api/v1/accounts", audience: .roles([.admin])),
        Rule(method: .get, path: "/api/v1/audit", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/assets", audience: .signedIn),
        Rule(method: .get, path: "/api/v1/assets/{sha256}", audience: .signedIn),
        Rule(method: .post, path: "/api/v1/assets", audience: .roles([.editor, .admin])),
    ]

    public static func rule(_ method: HTTPRequest.Method, _ path: String) -> Rule? {
        table.first { $0.method == method && $0.path == path }
    }

    public static func allows(_ audience: Audience, _ role: Role) -> Bool {
        switch audience {
        case .anyone, .signedIn: true
        case .roles(let roles): roles.contains(role)
        case .device: false
        }
    }
}
