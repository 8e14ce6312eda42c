import Hummingbird
import NIOCore
import SignetCore

/// A refusal with a status and one clear sentence, as JSON: `{"error": "..."}`, and where the
/// fault is in the request's document when it has one (`"field": "programme.slides.x.elements[0].width"`),
/// so that an editor can show it next to what caused it.
public struct APIError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let message: String
    public let field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    /// A programme the server cannot take, with the field at fault.
    init(_ error: ProgrammeError) {
        self.init(.unprocessableContent, error.description, field: error.path)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: JSONObject = ["error": .string(message)]
        if let field { body["field"] = .string(field) }
        var response = JSONBody.response(body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    static let unauthenticated = APIError(.unauthorized, "sign in first (a session cookie or an Authorization: Bearer token)")
}

/// JSON in and out through Signet's strict parser and writer (the same rules as every other
/// document: no floats, no duplicate keys, valid UTF-8).
enum JSONBody {
    /// `allowEmpty`: an empty body reads as `{}` (for requests whose every field is optional).
    static func object(_ request: Request, context: AppRequestContext, maxBytes: Int? = nil, allowEmpty: Bool = false) async throws -> JSONObject {
        let limit = maxBytes ?? context.maxUploadSize
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "request body over \(limit) bytes")
        }
        if allowEmpty, buffer.readableBytes == 0 { return JSONObject() }
        do {
            guard case .object(let object) = try JSONParser(maxBytes: limit).parse(Array(buffer.readableBytesView)) else {
                throw APIError(.badRequest, "the body must be a JSON object")
            }
            return object
        } catch let error as JSONParseError {
            throw APIError(.badRequest, "invalid JSON: \(error.description)")
        }
    }

    static func response(_ object: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        var bytes = Array(JSONWriter.compact.string(.object(object)).utf8)
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension JSONObject {
    /// A required string field, or a 400 naming it.
    func text(_ key: String, maxLength: Int = 200) throws -> String {
        guard let value = self[key]?.stringValue, !value.isEmpty, value.count <= maxLength else {
            throw APIError(.badRequest, "\(key): a string of 1 to \(maxLength) characters is required")
        }
        return value
    }

    /// The optional `groups` field: up to 32 distinct group names, or 400.
    func groupNames() throws -> [String] {
        guard let list = self["groups"] else { return [] }
        guard let items = list.arrayValue, items.count <= 32 else { throw APIError(.badRequest, "groups: a list of up to 32 names") }
        var groups: [String] = []
        for item in items {
            guard let group = item.stringValue, ReleaseScope.isValidName(group), !groups.contains(group) else {
                throw APIError(.badRequest, "groups: distinct names of lowercase letters, digits and -")
            }
            groups.append(group)
        }
        return groups
    }

    func refuseUnknown(_ known: [String]) throws {
        for member in members where !known.contains(member.key) {
            throw APIError(.badRequest, "\(member.key): unknown field (expected \(known.joined(separator: ", ")))")
        }
    }
}
