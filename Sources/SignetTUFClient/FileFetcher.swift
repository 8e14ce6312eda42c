import SignetCore

/// Fetches `file://` URLs: a repository copied to a local folder or removable drive. Everything is
/// verified exactly as over HTTP; a missing file answers like HTTP 404.
public struct FileFetcher: Fetcher {
    public init() {}

    public func fetch(_ url: String, maxBytes: Int) async throws(TUFError) -> [UInt8] {
        guard url.hasPrefix("file://") else { throw TUFError(.download, "\(url): not a file:// URL") }
        let path = percentDecoded(String(url.dropFirst("file://".count)))
        guard let bytes = try AtomicFile.read(path, maxBytes: maxBytes) else {
            throw TUFError(.httpStatus(404), "\(url): no such file")
        }
        return bytes
    }

    private func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let decoded = Hex.decode(String(decoding: utf8.prefix(2), as: UTF8.self)) {
                bytes.append(decoded[0])
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Chooses the fetcher by URL scheme: `file://` reads the local disk, anything else goes over HTTP.
public struct SchemeFetcher: Fetcher {
    let http: HTTPFetcher
    let file = FileFetcher()

    public init(http: HTTPFetcher = HTTPFetcher()) { self.http = http }

    public func fetch(_ url: String, maxBytes: Int) async throws(TUFError) -> [UInt8] {
        url.hasPrefix("file://") ? try await file.fetch(url, maxBytes: maxBytes) : try await http.fetch(url, maxBytes: maxBytes)
    }
}
