import Foundation
import Logging
import SignetCore
import SignetSystem

/// One JSON object per line (time, level, logger, message, then the metadata), for log shippers.
/// Keys are sorted and strings escaped by the same writer that produces canonical JSON, so a
/// message can never break a line or forge a field.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let clock: @Sendable () -> Instant
    let write: @Sendable ([UInt8]) -> Void

    public init(label: String, clock: @escaping @Sendable () -> Instant = { SystemWallClock().now() },
                write: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.clock = clock
        self.write = write
    }

    public static let standardError: @Sendable ([UInt8]) -> Void = { line in
        line.withUnsafeBufferPointer { buffer in _ = Foundation.write(2, buffer.baseAddress, buffer.count) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = JSONObject()
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged { fields[key] = Self.json(value) }
        fields["time"] = .string(clock().iso8601)
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(event.message.description)
        if let error = event.error { fields["error"] = .string(String(describing: error)) }
        if event.level >= .warning { fields["source"] = .string("\(event.file):\(event.line)") }
        write(JSONWriter.compact.encode(.object(fields)) + [0x0A])
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let item): .string(item.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let members):
            .object(JSONObject(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: json($0.value)) }))
        }
    }
}

public enum ServerLogging {
    /// The server's logger as its configuration asks: JSON lines or text, on standard error.
    public static func logger(_ config: ServerConfig, label: String = "signet.server") -> Logger {
        var logger = Logger(label: label) { label in
            switch config.logFormat {
            case .json: JSONLogHandler(label: label)
            case .text: StreamLogHandler.standardError(label: label)
            }
        }
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        return logger
    }
}
