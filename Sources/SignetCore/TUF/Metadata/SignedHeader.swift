/// The fields every role's `signed` object carries.
public struct SignedHeader: Sendable, Equatable {
    public var version: Int64
    public var specVersion: String
    public var expires: TUFTime

    public static let specVersion = "1.0.31"
    static let knownFields = ["_type", "spec_version", "version", "expires"]

    public init(version: Int64 = 1, expires: TUFTime, specVersion: String = SignedHeader.specVersion) {
        self.version = version
        self.expires = expires
        self.specVersion = specVersion
    }

    init(_ fields: MetadataReader, type: String) throws(TUFError) {
        let found = try fields.string("_type")
        guard found == type else {
            throw TUFError(.wrongType, "\(fields.context)._type is \"\(found)\", expected \"\(type)\"")
        }
        specVersion = try fields.string("spec_version")
        guard Self.isSupported(specVersion) else {
            throw TUFError(.unsupportedSpecVersion, "\(fields.context).spec_version \"\(specVersion)\" is not 1.x")
        }
        version = try fields.integer("version")
        guard version >= 1 else { throw TUFError(.malformed, "\(fields.context).version must be at least 1") }
        let expiresText = try fields.string("expires")
        guard let expires = TUFTime(iso8601: expiresText) else {
            throw TUFError(.malformed, "\(fields.context).expires \"\(expiresText)\" is not YYYY-MM-DDTHH:MM:SSZ")
        }
        self.expires = expires
    }

    /// Same major version as ours (1), in `major.minor[.patch]` form, as python-tuf requires.
    static func isSupported(_ version: String) -> Bool {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return false }
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return false }
        return parts[0] == "1"
    }

    func write(into object: inout JSONObject, type: String) {
        object["_type"] = .string(type)
        object["spec_version"] = .string(specVersion)
        object["version"] = .integer(version)
        object["expires"] = .string(expires.iso8601)
    }

    public func isExpired(at now: TUFTime) -> Bool { now >= expires }
}

/// A role's `signed` body: root, targets, snapshot or timestamp.
public protocol RoleBody: Sendable {
    static var type: String { get }
    var header: SignedHeader { get set }
    init(signed: JSONValue, context: String) throws(TUFError)
    func jsonObject() -> JSONObject
}

extension RoleBody {
    public var version: Int64 {
        get { header.version }
        set { header.version = newValue }
    }

    public var expires: TUFTime {
        get { header.expires }
        set { header.expires = newValue }
    }
}
