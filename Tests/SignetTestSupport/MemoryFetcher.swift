import Foundation
import SignetCore
import SignetTUFClient
import Synchronization

/// Serves a `TestRepository` from memory like a static HTTP server, and records requests.
public final class MemoryFetcher: Fetcher {
    public let served: Mutex<[String: [UInt8]]>
    public let requests = Mutex<[String]>([])

    public init(_ repository: TestRepository) {
        var files: [String: [UInt8]] = [:]
        for (path, bytes) in repository.files { files["mem://r/metadata/\(path)"] = bytes }
        for (path, bytes) in repository.targetFiles {
            let hash = TargetFile(contents: bytes).hashes.values[0]
            let (folder, name) = path.lastIndex(of: "/").map { (String(path[...$0]), String(path[path.index(after: $0)...])) }
                ?? ("", path)
            files["mem://r/targets/\(path)"] = bytes
            files["mem://r/targets/\(folder)\(hash).\(name)"] = bytes
        }
        served = Mutex(files)
    }

    public subscript(path: String) -> [UInt8]? {
        get { served.withLock { $0["mem://r/metadata/\(path)"] } }
        set { served.withLock { $0["mem://r/metadata/\(path)"] = newValue } }
    }

    public func setTarget(_ name: String, _ bytes: [UInt8]) { served.withLock { $0["mem://r/targets/\(name)"] = bytes } }

    public func fetch(_ url: String, maxBytes: Int) async throws(TUFError) -> [UInt8] {
        requests.withLock { $0.append(url.replacingOccurrences(of: "mem://r/", with: "")) }
        guard let bytes = served.withLock({ $0[url] }) else { throw TUFError(.httpStatus(404), "\(url): HTTP 404") }
        guard bytes.count <= maxBytes else { throw TUFError(.lengthMismatch, "\(url): more than the limit of \(maxBytes) bytes") }
        return bytes
    }
}

