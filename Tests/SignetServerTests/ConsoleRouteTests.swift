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
            #expect(page.contains(#"<script src="/console/console.js" defer></script>"#))
            #expect(!page.contains("<script>") && !page.contains("style=") && !page.contains("<style"))
            #expect(page.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "an inline event handler")
            // Strings from the server go in as text, never as markup.
            let script = try await client.json(.get, "/console/console.js").text
            #expect(!script.contains("innerHTML") && !script.contains("insertAdjacentHTML") && !script.contains("eval("))
            for path in ["/console/../signet.sqlite", "/console/secret.json", "/console/console.js/x"] {
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
}
