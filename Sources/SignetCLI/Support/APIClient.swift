import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SignetCore

/// The server's JSON API as the CLI calls it, with an API token.
struct APIClient {
    let base: String
    let token: String
    let http: HTTPClient

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func get(_ path: String, maxBytes: Int = 256 << 20) async throws -> [UInt8] {
        try await send(HTTPClientRequest(url: base + path), maxBytes: maxBytes)
    }

    func getJSON(_ path: String) async throws -> JSONObject {
        guard let object = try JSONParser(maxBytes: 16 << 20).parse(try await get(path)).objectValue else {
            throw Failure(description: "\(path): the server's answer is not a JSON object")
        }
        return object
    }

    func post(_ path: String, _ body: JSONObject) async throws -> JSONObject {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.compact.encode(.object(body))))
        guard let object = try JSONParser(maxBytes: 64 << 20).parse(try await send(request, maxBytes: 64 << 20)).objectValue else {
            throw Failure(description: "\(path): the server's answer is not a JSON object")
        }
        return object
    }

    /// Any method with a body of any type (uploads, programme documents); the JSON answer.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8], contentType: String) async throws -> JSONObject {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        guard let object = try JSONParser(maxBytes: 16 << 20).parse(try await send(request, maxBytes: 16 << 20)).objectValue else {
            throw Failure(description: "\(path): the server's answer is not a JSON object")
        }
        return object
    }

    private func send(_ request: HTTPClientRequest, maxBytes: Int) async throws -> [UInt8] {
        var request = request
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = Array(try await response.body.collect(upTo: maxBytes).readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            let message = (try? JSONParser().parse(body))?.objectValue?["error"]?.stringValue ?? String(decoding: body.prefix(200), as: UTF8.self)
            throw Failure(description: "\(request.url): \(response.status.code) \(message)")
        }
        return body
    }
}
