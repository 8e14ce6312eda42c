import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SignetCore

/// The JSON API described as OpenAPI 3.1, built from the access table, so that every route is
/// documented with the roles that may call it.
enum OpenAPIDocument {
    /// One line per route; a route without one fails the tests.
    static let summaries: [String: String] = [
        "GET /health": "Liveness.",
        "GET /openapi.json": "This document.",
        "GET /metrics": "Prometheus metrics (text exposition format 0.0.4): requests, audit events, screens, proposals, TUF metadata versions and expiry.",
        "GET /repository/{path}": "The TUF repository as static files (metadata/ and targets/); clients verify everything they read.",
        "GET /log/checkpoint": "The transparency log's newest checkpoint (C2SP tlog-checkpoint, a signed note by the log key the TUF root names).",
        "GET /log/tile/{path}": "The log's hash tiles (C2SP tlog-tiles: tile/L/N[.p/W]), 32-byte hashes one after another.",
        "GET /log/tile/entries/{path}": "The log's entry bundles (C2SP tlog-tiles: tile/entries/N[.p/W]), each entry after its 16-bit length.",
        "GET /api/v1/log/consistency": "A consistency proof (RFC 9162) between two sizes of the log (?from=M&to=N), base64 hashes.",
        "GET /api/v1/log/inclusion": "An inclusion proof (RFC 9162) of entry ?index=I in the tree of ?size=N entries, base64 hashes.",
        "POST /api/v1/session": "Sign in with name, password and (when enrolled) a TOTP code; sets the session cookie and returns the CSRF token.",
        "POST /api/v1/enroll": "A device binds its Ed25519 public key to a screen with a one-time enrollment token.",
        "GET /api/v1/devices/commands": "A device fetches the signed commands pending for its screen.",
        "POST /api/v1/devices/plays": "A device hands in proofs of play: a batch of its hash-chained records signed with its device key; the answer names the last record held (through).",
        "GET /console": "The operator console's page (also at /console/).",
        "GET /console/{path}": "The console's files: index.html, console.css, console.js (no data; a Content-Security-Policy without inline code).",
        "GET /api/v1/wall/events": "Server-sent events for the console's wall (with Accept: text/event-stream): `screens` (the screen list with heartbeats, and `at`) whenever it changes; without that Accept, the list once as JSON.",
        "GET /api/v1/screens/{id}/timeline": "What the screen shows from `from` (default now, by the server's clock) to `to` (or for `days`, default 1; at most 31 days), merged showings of the published programme that names it (or ?programme=N).",
        "GET /api/v1/screens/{id}/forensics": "What the screen showed at `at` and why: the evidence (device-signed proofs of play, the release's signed metadata and programme, the commands as the screen received them, every root, log entries with inclusion proofs under the signed checkpoint) within `window` seconds (600), and the server's examination of it against root v1 (as JSON, and as the lines `signet forensics` prints).",
        "GET /api/v1/screens/{id}/plays": "A screen's proofs of play overlapping from..to (default the last 24 hours), oldest first, at most limit (1000).",
        "POST /api/v1/devices/thumbnail": "A device sends a PNG thumbnail (at most 1024 pixels a side) of what its screen shows, after a screenshot command.",
        "GET /api/v1/screens/{id}/thumbnail": "The screen's latest thumbnail (PNG), with X-Signet-Taken-At; request one with a screenshot command.",
        "GET /api/v1/devices/channel": "A device opens its WebSocket (signed upgrade request): commands and release notices in; acknowledgements and heartbeats out, one JSON object per text message.",
        "POST /api/v1/devices/commands/{id}/ack": "A device acknowledges a command: {\"result\": \"done\"} or refused with a reason.",
        "POST /api/v1/commands": "Issue blank, safe, restore, brightness, lockdown or unlock to screens, a group or all; one signed command per screen.",
        "GET /api/v1/commands": "Commands by id (?ids=1,2,3), or a screen's newest 50 (?screen=ID), with their acknowledgements.",
        "POST /api/v1/devices/heartbeat": "A device reports what it shows (release, slide, fingerprint, uptime, cache), signed with its key.",
        "POST /api/v1/devices/alert": "A device reports a render or display mismatch, a capture fault or a containment step, with the fingerprints as evidence; recorded as an alert.display.* audit event.",
        "GET /api/v1/session": "The signed-in account and the session's CSRF token.",
        "DELETE /api/v1/session": "Sign out.",
        "POST /api/v1/me/password": "Change your password (ends your other sessions).",
        "POST /api/v1/me/tokens": "Create an API token for tools (shown once).",
        "POST /api/v1/me/totp": "Begin TOTP enrolment: an otpauth:// URL for an authenticator app.",
        "POST /api/v1/me/totp/confirm": "Finish TOTP enrolment with the authenticator's current code.",
        "GET /api/v1/screens": "Screens in your groups, with their enrolled device keys.",
        "POST /api/v1/screens": "Register a screen (id, name, size, time zone, groups).",
        "POST /api/v1/screens/{id}/enrollment": "Issue a one-time, 24-hour enrollment token for a screen.",
        "GET /api/v1/screens/{id}/preview": "PNG of what the screen shows at ?at=TIME under the latest programme.",
        "GET /api/v1/programme": "The latest programme version, completed from the registry.",
        "PUT /api/v1/programme": "Save a new programme version (?version=N refuses a stale save).",
        "POST /api/v1/programme/preview": "A slide of an unsaved draft ({\"document\", \"slide\", \"screen\"}) rendered for a screen: the PNG as a data URL, the renderer's warnings and what the draft breaks, each with its field. Stores nothing.",
        "GET /api/v1/programmes/{version}": "A saved programme version's exact bytes.",
        "GET /api/v1/releases/{id}/programme": "The exact programme document a proposal names (the network's part, or a group's).",
        "GET /api/v1/groups": "Screen groups: their screens, registered approvers, and whether the published release delegates them.",
        "PUT /api/v1/groups/{group}/approvers": "Register a group's own approver keys and threshold; effective once a network release delegates the group.",
        "GET /api/v1/releases": "Release proposals, newest first.",
        "POST /api/v1/releases": "Propose the latest programme as the next release of the network, or of {\"group\": NAME}.",
        "GET /api/v1/releases/{id}": "A proposal: the signed bytes, approver keys, threshold, signatures and changes.",
        "POST /api/v1/releases/{id}/signatures": "Hand in an approver's signature over a proposal; publishes at the threshold.",
        "GET /api/v1/assets": "Uploaded assets.",
        "POST /api/v1/assets": "Upload an image (the request body; ?name=LABEL).",
        "GET /api/v1/assets/{sha256}": "An asset's bytes.",
        "GET /api/v1/audit": "The audit trail, oldest first after an event id (?after=ID, 500 at a time), or the newest N, newest first (?latest=N, 1 to 1000; with &alerts=true only alerts); each event names its log entry.",
        "GET /api/v1/accounts": "Accounts.",
        "POST /api/v1/accounts": "Create an account with a one-time password.",
    ]

    /// `/repository/**` in the router is `/repository/{path}` in OpenAPI (the path may hold slashes).
    static func openAPIPath(_ path: String) -> String { path.replacingOccurrences(of: "/**", with: "/{path}") }

    static func build() -> JSONValue {
        var paths = JSONObject()
        for rule in AccessRules.table {
            let path = openAPIPath(rule.path)
            var item = paths[path]?.objectValue ?? JSONObject()
            var operation: JSONObject = [
                "summary": .string(summaries["\(rule.method) \(path)"] ?? ""),
                "operationId": .string(operationID(rule.method, path)),
                "responses": .object(responses(rule)),
            ]
            switch rule.audience {
            case .anyone:
                operation["security"] = .array([.object([:])])
            case .signedIn:
                operation["x-signet-roles"] = .array(Role.allCases.map { .string($0.rawValue) })
            case .roles(let roles):
                operation["x-signet-roles"] = .array(Role.allCases.filter(roles.contains).map { .string($0.rawValue) })
            case .device:
                operation["security"] = .array([.object(["device": .array([])])])
            }
            let parameters = path.split(separator: "/").filter { $0.hasPrefix("{") }.map { segment -> JSONValue in
                .object(["name": .string(String(segment.dropFirst().dropLast())), "in": "path", "required": true,
                         "schema": .object(["type": "string"])])
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if [.post, .put].contains(rule.method) {
                let media = path == "/api/v1/assets" ? "application/octet-stream" : "application/json"
                let schema: JSONObject = media == "application/json" ? ["type": "object"] : ["type": "string", "contentMediaType": "image/*"]
                operation["requestBody"] = .object(["required": .bool(path != "/api/v1/releases" && !path.hasSuffix("/enrollment")
                                                                      && path != "/api/v1/me/totp"),
                                                    "content": .object([media: .object(["schema": .object(schema)])])])
            }
            item[rule.method.rawValue.lowercased()] = .object(operation)
            paths[path] = .object(item)
        }
        return .object([
            "openapi": "3.1.0",
            "info": .object(["title": "Signet server API", "version": "1",
                             "description": "Every route and the roles that may call it (x-signet-roles) come from one access table."]),
            "paths": .object(paths),
            "components": .object(["securitySchemes": .object([
                "session": .object(["type": "apiKey", "in": "cookie", "name": .string(GuardedRouter.sessionCookie),
                                    "description": "Browser session; every change also needs the X-CSRF-Token header."]),
                "token": .object(["type": "http", "scheme": "bearer", "description": "API token (POST /api/v1/me/tokens)."]),
                "device": .object(["type": "apiKey", "in": "header", "name": "X-Signet-Signature",
                                   "description": "An enrolled device's Ed25519 signature over the request (with X-Signet-Screen and X-Signet-Time)."]),
            ])]),
            "security": .array([.object(["session": .array([])]), .object(["token": .array([])])]),
        ])
    }

    static func operationID(_ method: HTTPRequest.Method, _ path: String) -> String {
        let words = path.split(whereSeparator: { "/{}-.".contains($0) }).map(String.init).filter { $0 != "api" && $0 != "v1" }
        return method.rawValue.lowercased() + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func responses(_ rule: AccessRules.Rule) -> JSONObject {
        let error: JSONObject = ["description": "Refused, with {\"error\": \"...\"}",
                                 "content": .object(["application/json": .object(["schema": .object([
                                     "type": "object", "properties": .object(["error": .object(["type": "string"])])])])])]
        var responses: JSONObject = [
            [.post, .put].contains(rule.method) ? "201" : "200": .object(["description": "Done"]),
            "400": .object(error), "404": .object(error),
        ]
        if rule.audience != .anyone {
            responses["401"] = .object(error)
            responses["403"] = .object(error)
        }
        return responses
    }

    static func register(_ routes: GuardedRouter) {
        let document = JSONWriter.pretty.encode(build())
        routes.on(.get, "/openapi.json") { _, _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
