#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SignetCore

/// Crash-safe file replacement: write a temporary file in the same folder, fsync it, rename it over
/// the target, fsync the folder. A power cut leaves either the old file or the new one, never a mix.
public enum AtomicFile {
    /// `syncDirectory: false` leaves the folder's fsync to the caller (`syncDirectory(of:)`), who
    /// writes several files in a row: each file is still either old or new after a crash.
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644,
                             syncDirectory: Bool = true) throws(TUFError)
    {
        let directory = parentDirectory(of: path)
        let temporary = "\(directory)/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw error("cannot create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                close(fd)
                unlink(temporary)
                throw error("cannot write \(temporary)")
            }
            written += result
        }
        guard fsync(fd) == 0 else {
            close(fd)
            unlink(temporary)
            throw error("cannot fsync \(temporary)")
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw error("cannot rename \(temporary) to \(path)")
        }
        if syncDirectory { Self.syncDirectory(directory) }
    }

    /// Makes the renames in a folder durable.
    public static func syncDirectory(_ directory: String) {
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Reads a whole file, or nil if it does not exist. Refuses files larger than `maxBytes`.
    public static func read(_ path: String, maxBytes: Int = Int.max) throws(TUFError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw error("cannot open \(path)")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw error("cannot read \(path)")
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= maxBytes else {
                throw TUFError(.lengthMismatch, "\(path) is larger than \(maxBytes) bytes")
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    /// Creates a folder and its parents.
    public static func createDirectory(_ path: String, permissions: mode_t = 0o755) throws(TUFError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/\(component)"
            if mkdir(current, permissions) != 0, errno != EEXIST { throw error("cannot create folder \(current)") }
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func error(_ message: String) -> TUFError {
        TUFError(.storage, "\(message): \(String(cString: strerror(errno)))")
    }
}
