import SignetCore

/// The client's trusted metadata on disk: `<dir>/<percent-encoded role>.json`, the bytes exactly as
/// received, each replaced atomically. Nothing else is written at the top of the folder.
public struct MetadataStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func path(for role: String) -> String { "\(directory)/\(PercentEncoding.encode(role)).json" }

    public func load(_ role: String, maxBytes: Int) throws(TUFError) -> [UInt8]? {
        try AtomicFile.read(path(for: role), maxBytes: maxBytes)
    }

    /// Replaces a role's file atomically. With `syncDirectory: false` the caller calls `sync()` once
    /// after a series of writes.
    public func persist(_ role: String, _ bytes: [UInt8], syncDirectory: Bool = true) throws(TUFError) {
        try AtomicFile.write(bytes, to: path(for: role), syncDirectory: syncDirectory)
    }

    /// Makes every rename in the folder durable.
    public func sync() { AtomicFile.syncDirectory(directory) }

    public func remove(_ role: String) {
        AtomicFile.remove(path(for: role))
    }
}
