import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SignetCore
import SignetRender
import Testing

@testable import SignetServer

@Suite("Programmes: saved against registered screens and uploaded assets; previews of any screen at any time")
struct ServerProgrammeTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/state-visit")
    static var document: String { try! String(contentsOf: example.appendingPathComponent("programme.json"), encoding: .utf8) }
    static var flag: [UInt8] { Array(try! Data(contentsOf: example.appendingPathComponent("kazakhstan.png"))) }

    /// Screens of the example registered, its flag uploaded; returns an editor's and an admin's tokens.
    func prepare(_ client: some TestClientProtocol) async throws -> (editor: String, admin: String) {
        let admin = try await client.token(for: "admin"), editor = try await client.token(for: "editor")
        for (id, width, height, zone) in [("astana-1", 960, 480, "Asia/Almaty"), ("astana-2", 768, 384, "Asia/Almaty"),
                                          ("berlin-1", 1920, 1080, "Europe/Berlin")] {
            let groups = id.hasPrefix("astana") ? #"["astana", "roadside"]"# : #"["berlin"]"#
            let response = try await client.json(.post, "/api/v1/screens",
                                                 #"{"id": "\#(id)", "name": "\#(id)", "width": \#(width), "height": \#(height), "time_zone": "\#(zone)", "groups": \#(groups)}"#,
                                                 headers: [.authorization: "Bearer \(admin)"])
            #expect(response.status == .created)
        }
        let upload = try await client.execute(uri: "/api/v1/assets?name=kazakhstan.png", method: .post,
                                              headers: [.authorization: "Bearer \(editor)"], body: ByteBuffer(bytes: Self.flag))
        #expect(upload.status == .created)
        return (editor, admin)
    }

    @Test func aSavedProgrammePreviewsLikeAPlayer() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        defer { try? FileManager.default.removeItem(atPath: fixture.config.dataDirectory) }
        try await fixture.test { client in
            let (editor, _) = try await prepare(client)
            let saved = try await client.json(.put, "/api/v1/programme", Self.document, headers: [.authorization: "Bearer \(editor)"])
            #expect(saved.status == .created, "\(saved.text)")
            #expect(saved.object?["version"]?.integerValue == 1)
            let fetched = try await client.json(.get, "/api/v1/programme", headers: [.authorization: "Bearer \(editor)"])
            let screens = fetched.object?["document"]?.objectValue?["screens"]?.objectValue
            #expect(screens?["berlin-1"]?.objectValue?["width"]?.integerValue == 1920)

            let preview = try await client.json(.get, "/api/v1/screens/astana-1/preview?at=2024-11-27T12:00",
                                                headers: [.authorization: "Bearer \(editor)"])
            #expect(preview.status == .ok)
            #expect(preview.headers[.contentType] == "image/png")
            #expect(preview.headers[SignetHeaders.slide] == "welcome")
            #expect(preview.headers[SignetHeaders.source] == "entry state-visit")
            let image = try ImageDecoder.decode(Array(preview.body.readableBytesView))
            #expect(image.width == 960 && image.height == 480)
            #expect(image[100, 250] == (0xD5, 0x2B, 0x1E, 255))  // the red band of the Russian flag
            let before = try await client.json(.get, "/api/v1/screens/astana-1/preview?at=2024-11-26T12:00:00Z",
                                               headers: [.authorization: "Bearer \(editor)"])
            #expect(before.headers[SignetHeaders.source] == "default playlist")
            #expect(try await client.json(.get, "/api/v1/screens/astana-1/preview?at=noon", headers: [.authorization: "Bearer \(editor)"])
                .status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/screens/paris-1/preview", headers: [.authorization: "Bearer \(editor)"])
                .status == .notFound)
        }
    }

    /// The slide editor's preview: a slide of an unsaved draft drawn as the player would draw it,
    /// with the renderer's warnings and the draft's broken rules, each at its field.
    @Test func aDraftSlidePreviewsWithItsWarningsAndProblemsAtTheirFields() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        defer { try? FileManager.default.removeItem(atPath: fixture.config.dataDirectory) }
        try await fixture.test { client in
            let (editor, _) = try await prepare(client)
            let headers: HTTPFields = [.authorization: "Bearer \(editor)"]
            func preview(_ document: String, slide: String = "welcome", screen: String = "astana-1",
                         as who: HTTPFields = headers) async throws -> TestResponse {
                try await client.json(.post, "/api/v1/programme/preview", #"{"document": \#(document), "slide": "\#(slide)", "screen": "\#(screen)"}"#,
                                      headers: who)
            }
            let drawn = try await preview(Self.document)
            #expect(drawn.status == .ok, "\(drawn.text)")
            let url = try #require(drawn.object?["image"]?.stringValue)
            #expect(url.hasPrefix("data:image/png;base64,"))
            let image = try ImageDecoder.decode(Array(try #require(Data(base64Encoded: String(url.dropFirst(22))))))
            #expect(image.width == 960 && image.height == 480)
            #expect(image[100, 250] == (0xD5, 0x2B, 0x1E, 255))  // the red band, as the saved programme's preview
            #expect(drawn.object?["warnings"]?.arrayValue?.isEmpty == true && drawn.object?["problems"]?.arrayValue?.isEmpty == true)

            // Text too big for its box: drawn smaller, and the warning names the size.
            let crowded = try await preview(Self.document.replacingOccurrences(of: #""Добро пожаловать!", "size": 44"#,
                                                                               with: #""Добро пожаловать!", "size": 400"#))
            let warning = try #require(crowded.object?["warnings"]?.arrayValue?.first?.objectValue)
            #expect(warning["field"]?.stringValue == "programme.slides.welcome.elements[3].size", "\(crowded.text)")
            #expect(warning["message"]?.stringValue?.contains("instead of 400 px") == true, "\(crowded.text)")

            // A policy broken elsewhere: the slide is still drawn, and the rule comes back at its field.
            let short = try await preview(Self.document.replacingOccurrences(of: #""slide": "welcome", "dwell_ms": 60000"#,
                                                                             with: #""slide": "welcome", "dwell_ms": 5000"#))
            #expect(short.status == .ok && short.object?["image"] != nil)
            let problem = try #require(short.object?["problems"]?.arrayValue?.first?.objectValue)
            #expect(problem["field"]?.stringValue == "programme.playlists.visit.items[0].dwell_ms", "\(short.text)")

            // A slide that cannot be read: refused at its field, nothing drawn.
            let broken = try await preview(Self.document.replacingOccurrences(of: ##""colours": ["#FFFFFF""##, with: #""colours": ["white""#))
            #expect(broken.status == .unprocessableContent && broken.object?["field"]?.stringValue == "programme.slides.welcome.elements[0].colours[0]",
                    "\(broken.text)")
            #expect(try await preview(Self.document, slide: "nope").status == .badRequest)
            #expect(try await preview(Self.document, screen: "paris-1").status == .notFound)
            #expect(try await preview(Self.document, as: [.authorization: "Bearer \(try await client.token(for: "viewer"))"]).status == .forbidden)
            #expect(try await fixture.store.latestProgramme() == nil)
        }
    }

    @Test func draftsThatDoNotFitTheServerAreRefused() async throws {
        let fixture = try ServerFixture()
        try await fixture.addRoleAccounts()
        defer { try? FileManager.default.removeItem(atPath: fixture.config.dataDirectory) }
        let store = fixture.store
        try await fixture.test { client in
            let (editor, _) = try await prepare(client)
            let headers: HTTPFields = [.authorization: "Bearer \(editor)"]
            let cases: [(String, String, String)] = [
                (#""berlin-1": {"#, #""paris-1": {"#, "programme.screens.paris-1: no screen paris-1 is registered"),
                ("1de385c32e005a12e180b0e56636e3fa353b9deac6187d6d53100cb1ad821096\": {", "ab\": {",
                 "programme.assets.ab: no uploaded asset has this sha256"),
                (#""slide": "welcome", "dwell_ms": 60000"#, #""slide": "welcome", "dwell_ms": 5000"#,
                 "programme.playlists.visit.items[0].dwell_ms: 5000 ms is below the minimum dwell of 10000 ms"),
            ]
            for (old, new, expected) in cases {
                #expect(Self.document.contains(old))
                let response = try await client.json(.put, "/api/v1/programme", Self.document.replacingOccurrences(of: old, with: new),
                                                     headers: headers)
                #expect(response.status == .unprocessableContent, "\(expected)")
                #expect(response.object?["error"]?.stringValue?.hasPrefix(expected) == true, "\(response.text)")
                // The field on its own, for an editor to mark where the fault is.
                #expect(response.object?["field"]?.stringValue.map { expected.hasPrefix($0 + ": ") } == true, "\(response.text)")
            }
            #expect(try await store.latestProgramme() == nil)
            #expect(try await client.json(.put, "/api/v1/programme?version=0", Self.document, headers: headers).status == .created)
            // Saving over a version that is no longer the latest is refused.
            #expect(try await client.json(.put, "/api/v1/programme?version=0", Self.document, headers: headers).status == .conflict)
            #expect(try await client.json(.put, "/api/v1/programme?version=1", Self.document, headers: headers).status == .created)
        }
    }
}
