import Foundation
import Hummingbird
import SignetCore
import SignetRender

/// The slide editor's preview: a slide of an unsaved draft rendered for one screen exactly as its
/// player would, with what the renderer had to adjust and what the draft breaks, each named by
/// its field. Nothing is stored.
enum DraftPreviewRoutes {
    static func register(_ routes: GuardedRouter) {
        let services = routes.services
        routes.on(.post, "/api/v1/programme/preview") { request, context, principal in
            let body = try await JSONBody.object(request, context: context, maxBytes: ProgrammeRoutes.maxDocumentBytes)
            try body.refuseUnknown(["document", "slide", "screen"])
            guard let draft = body["document"]?.objectValue else { throw APIError(.badRequest, "document: the draft programme, an object") }
            let slideID = try body.text("slide"), screenID = try body.text("screen")
            try await services.checkScreenAccess(screenID, principal!.account)
            let programme: Programme
            do { programme = try Programme(json: .object(try await services.complete(draft))) } catch let error as ProgrammeError {
                throw APIError(error)
            }
            guard let screen = programme.screens[screenID] else { throw APIError(.badRequest, "screen: \(screenID) is not in the draft") }
            guard programme.slides[slideID] != nil else { throw APIError(.badRequest, "slide: \(slideID) is not in the draft") }
            guard let typeface = services.typeface else { throw APIError(.serviceUnavailable, "the renderer's font could not be loaded") }
            let assets = services.assets
            let prepared: PreparedSlide
            do {
                prepared = try SlideRenderer(typeface: typeface).prepare(slideID, of: programme, for: screen) { hash in
                    HashAlgorithm.isSHA256Hex(hash) ? (try? Data(contentsOf: URL(fileURLWithPath: assets.path(hash)))).map(Array.init) : nil
                }
            } catch {
                throw APIError(.unprocessableContent, "cannot render \(slideID) for \(screenID): \(error)")
            }
            let png = try PNGEncoder.encode(prepared.render())
            // A draft may be drawn while it still breaks a rule elsewhere: the rule comes back beside
            // the picture, so the editor sees both.
            var problems: [JSONValue] = []
            do { try programme.validate() } catch let error as ProgrammeError { problems.append(note(field: error.path, error.rule)) }
            return JSONBody.response([
                "slide": .string(slideID), "screen": .string(screenID),
                "width": .integer(Int64(screen.width)), "height": .integer(Int64(screen.height)),
                "image": .string("data:image/png;base64," + Data(png).base64EncodedString()),
                "warnings": .array(prepared.warnings.map(warning)), "problems": .array(problems),
            ])
        }
    }

    /// The renderer words a warning as `slides.ID.elements[N].size: what`; the field is the document's path.
    static func warning(_ text: String) -> JSONValue {
        guard let colon = text.range(of: ": ") else { return note(field: nil, text) }
        return note(field: "programme." + text[..<colon.lowerBound], String(text[colon.upperBound...]))
    }

    static func note(field: String?, _ message: String) -> JSONValue {
        .object(["field": field.map(JSONValue.string) ?? .null, "message": .string(message)])
    }
}
