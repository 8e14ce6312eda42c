import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SignetCore

/// Fetches a file by URL, refusing to read more than `maxBytes` of it.
public protocol Fetcher: Sendable {
    func fetch(_ url: String, maxBytes: Int) async throws(TUFError) -> [UInt8]
}


/// HTTP(S) fetching with AsyncHTTPClient, streamed so that an endless response stops at the cap.
public struct HTTPFetcher: Fetcher {
    let client: HTTPClient
    let timeout: TimeAmount

    public init(client: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        self.client = client
        self.timeout = timeout
    }

    public func fetch(_ url: String, maxBytes: Int) async throws(TUFError) -> [UInt8] {
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: timeout)
            guard response.status.code == 200 else {
                throw TUFError(.httpStatus(Int(response.status.code)), "\(url): HTTP \(response.status.code)")
            }
            if let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > maxBytes {
                throw TUFError(.lengthMismatch, "\(url): \(declared) bytes exceeds the limit of \(maxBytes)")
            }
            var body: [UInt8] = []
            for try await chunk in response.body {
                guard body.count + chunk.readableBytes <= maxBytes else {
                    throw TUFError(.lengthMismatch, "\(url): more than the limit of \(maxBytes) bytes")
                }
                body.append(contentsOf: chunk.readableBytesView)
            }
            return body
        } catch let error as TUFError {
            throw error
        } catch {
            throw TUFError(.download, "\(url): \(error)")
        }
    }
}
