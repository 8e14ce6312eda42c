import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import SignetCore
import Testing

@testable import SignetServer

/// The console's files and its live wall, as a browser gets them (the browser itself runs in CI:
/// Interop/console.py).
@Suite("The console: its files under a strict policy, and the wall's live events")
struct ConsoleRouteTests {
    @Test func theConsoleIsServedUnderAPolicyWithoutInlineCode() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { client in
            for (path, type) in [("/console", "text/html"), ("/console/", "text/html"), ("/console/console.js", "text/javascript"),
                                 ("/console/console.css", "text/css")] {
                let response = try await client.json(.get, path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'") && !policy.contains("unsafe"), "\(policy)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            // The page loads only files; no inline script or style, no style attribute.
            let page = try await client.json(.get, "/console/").text
            #expect(page.contains(#"<script type="module" src="/console/console.js"></script>"#))
            #expect(!page.contains("<script>") && !page.contains("style=") && !page.contains("<style"))
            #expect(page.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "an inline event handler")
            // Every module the page reaches, each served as JavaScript (a browser refuses a module
            // of any other type). Strings from the server go in as text, never as markup.
            var modules = ["console.js"], index = 0
            while index < modules.count {
                let response = try await client.json(.get, "/console/\(modules[index])")
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/javascript") == true, "\(modules[index])")
                let script = response.text
                #expect(!script.contains("innerHTML") && !script.contains("outerHTML") && !script.contains("insertAdjacentHTML")
                        && !script.contains("eval(") && !script.contains("document.write"), "\(modules[index])")
                for match in script.matches(of: /from '\.\/([a-z-]+\.js)'/) where !modules.contains(String(match.1)) {
                    modules.append(String(match.1))
                }
                index += 1
            }
            #expect(Set(modules) == ["console.js", "core.js", "wall.js", "screen.js", "content.js", "releases.js", "audit.js"])
            for path in ["/console/../signet.sqlite", "/console/secret.json", "/console/console.js/x", "/console/.js", "/console/x.js.map",
                         "/console/none.js"] {
                #expect(try await client.json(.get, path).status == .notFound, "\(path)")
            }
        }
    }

    @Test func theWallStreamsTheScreenListAndItsChanges() async throws {
        try await LiveNetwork.run { network in
            // Without asking for a stream: the list once, for the signed-in user only.
            #expect(try await network.client.json(.get, "/api/v1/wall/events").status == .unauthorized)
            let once = try #require(try await network.client.json(.get, "/api/v1/wall/events", headers: network.editing).object)
            #expect(once["screens"]?.arrayValue?.isEmpty == false)

            var request = HTTPClientRequest(url: network.server + "/api/v1/wall/events")
            request.headers.add(name: "Accept", value: "text/event-stream")
            request.headers.add(name: "Authorization", value: "Bearer \(network.editor)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            var text = "", events: [String] = []
            var changed = false
            for try await chunk in response.body {
                text += String(buffer: chunk)
                while let end = text.range(of: "\n\n") {
                    events.append(String(text[..<end.lowerBound]))
                    text = String(text[end.upperBound...])
                }
                if events.count == 1 && !changed {
                    // A change on the wall (a new screen) is the next event.
                    changed = true
                    #expect(try await network.client.json(.post, "/api/v1/screens",
                                                          #"{"id": "wall-1", "name": "Wall 1", "width": 96, "height": 48, "time_zone": "UTC"}"#,
                                                          headers: [.authorization: "Bearer \(network.admin)"]).status == .created)
                }
                if events.count >= 2 { break }
            }
            #expect(events.count == 2)
            for event in events { #expect(event.hasPrefix("event: screens\ndata: {")) }
            #expect(!(events.first?.contains("wall-1") ?? true) && (events.last?.contains("\"wall-1\"") ?? false))
        }
    }

    @Test func theWallsStreamEndsWhenItsSessionDoes() async throws {
        try await LiveNetwork.run { network in
            let signIn = try await network.client.json(.post, "/api/v1/session",
                                                       #"{"name": "operator", "password": "\#(ServerFixture.password)"}"#)
            let cookie = try #require(signIn.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let csrf = try #require(signIn.object?["csrf_token"]?.stringValue)
            var request = HTTPClientRequest(url: network.server + "/api/v1/wall/events")
            request.headers.add(name: "Accept", value: "text/event-stream")
            request.headers.add(name: "Cookie", value: cookie)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status == .ok)
            var iterator = response.body.makeAsyncIterator()
            #expect(try await iterator.next().map { String(buffer: $0) }?.hasPrefix("event: screens") == true)
            // Signed out: the stream ends (within a credential check), it does not go on serving.
            let signedOut = try await network.client.json(.delete, "/api/v1/session", headers: [.cookie: cookie, GuardedRouter.csrfHeader: csrf])
            #expect(signedOut.status == .ok, "\(signedOut.text)")
            let started = ContinuousClock.now
            while let chunk = try await iterator.next() { _ = chunk }
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    @Test func aScreensTimelineComesFromThePublishedProgramme() async throws {
        try await LiveNetwork.run { network in
            let path = "/api/v1/screens/astana-1/timeline"
            let week = try #require(try await network.client.json(.get, path + "?days=7", headers: network.editing).object)
            #expect(week["published"] == .bool(true) && week["programme_version"] == .integer(1) && week["time_zone"] == "Asia/Almaty")
            let showings = (week["showings"]?.arrayValue ?? []).compactMap(\.objectValue)
            #expect(!showings.isEmpty)
            #expect(showings.first?["start"]?.stringValue == network.fixture.clock.now().iso8601)
            #expect(showings.last?["end"]?.stringValue == network.fixture.clock.now().adding(milliseconds: 7 * 86_400_000).iso8601)
            // Each showing ends where the next starts: the whole week is accounted for.
            #expect(zip(showings, showings.dropFirst()).allSatisfy { $0["end"] == $1["start"] })
            // A saved version on request; refusals for a bad window or a screen no release names.
            #expect(try await network.client.json(.get, path + "?programme=1", headers: network.editing).object?["published"] == .bool(false))
            for bad in ["?days=32", "?days=0", "?from=yesterday", "?from=2025-01-02T00:00Z&to=2025-01-01T00:00Z"] {
                #expect(try await network.client.json(.get, path + bad, headers: network.editing).status == .badRequest, "\(bad)")
            }
            #expect(try await network.client.json(.post, "/api/v1/screens", #"{"id": "new-1", "name": "New", "width": 96, "height": 48, "time_zone": "UTC"}"#,
                                                  headers: [.authorization: "Bearer \(network.admin)"]).status == .created)
            #expect(try await network.client.json(.get, "/api/v1/screens/new-1/timeline", headers: [.authorization: "Bearer \(network.admin)"]).status == .notFound)
        }
    }
}
