import Foundation
import Logging

/// Text log lines appended to a file: the demo's server and players log there, so that the
/// terminal shows only the demo's own story.
struct FileLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        // A C stream locks itself around each write, so concurrent loggers cannot interleave a line.
        let file: UnsafeMutablePointer<FILE>?

        init(path: String) {
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            file = fopen(path, "a")
        }

        func write(_ text: String) {
            guard let file else { return }
            fputs(text, file)
            fflush(file)
        }
    }

    let label: String
    let sink: Sink
    var logLevel = Logger.Level.info
    var metadata = Logger.Metadata()

    init(label: String, path: String) {
        self.label = label
        sink = Sink(path: path)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String,
             line: UInt) {
        let all = metadata.merging(extra ?? [:]) { $1 }
        let fields = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        sink.write("\(Date().ISO8601Format()) \(level) \(label): \(message)\(fields.isEmpty ? "" : " " + fields)\n")
    }
}
