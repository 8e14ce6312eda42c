/// timestamp.json: the current snapshot's version (and optionally its length and hashes).
public struct Timestamp: RoleBody, Equatable {
    public static let type = "timestamp"

    public var header: SignedHeader
    public var snapshotMeta: MetaFile
    public var unrecognized: JSONObject

    public init(expires: TUFTime, snapshotMeta: MetaFile) {
        header = SignedHeader(expires: expires)
        self.snapshotMeta = snapshotMeta
        unrecognized = JSONObject()
    }

    public init(signed: JSONValue, context: String = "timestamp") throws(TUFError) {
        let fields = try MetadataReader(signed, context: context)
        header = try SignedHeader(fields, type: Self.type)
        let meta = try fields.object("meta")
        guard meta.object.count == 1 else {
            throw TUFError(.malformed, "\(meta.context) must list exactly one file, snapshot.json")
        }
        snapshotMeta = try MetaFile(try meta.object("snapshot.json"))
        unrecognized = fields.unrecognized(known: SignedHeader.knownFields + ["meta"])
    }

    public func jsonObject() -> JSONObject {
        var object = unrecognized
        header.write(into: &object, type: Self.type)
        object["meta"] = ["snapshot.json": snapshotMeta.jsonValue()]
        return object
    }
}

/// snapshot.json: the version of every targets metadata file, keyed `<role>.json`.
public struct Snapshot: RoleBody, Equatable {
    public static let type = "snapshot"

    public var header: SignedHeader
    public var meta: KeyedTable<MetaFile>
    public var unrecognized: JSONObject

    public init(expires: TUFTime, meta: KeyedTable<MetaFile> = ["targets.json": MetaFile(version: 1)]) {
        header = SignedHeader(expires: expires)
        self.meta = meta
        unrecognized = JSONObject()
    }

    public init(signed: JSONValue, context: String = "snapshot") throws(TUFError) {
        let fields = try MetadataReader(signed, context: context)
        header = try SignedHeader(fields, type: Self.type)
        let metaFields = try fields.object("meta")
        var meta = KeyedTable<MetaFile>()
        for (name, value) in metaFields.object {
            do {
                meta[name] = try MetaFile(try MetadataReader(value, context: ""))
            } catch {
                throw error.prefixed(metaFields.path(name))
            }
        }
        self.meta = meta
        unrecognized = fields.unrecognized(known: SignedHeader.knownFields + ["meta"])
    }

    public func jsonObject() -> JSONObject {
        var object = unrecognized
        header.write(into: &object, type: Self.type)
        object["meta"] = .object(JSONObject(meta.entries.map { ($0.key, $0.value.jsonValue()) }))
        return object
    }
}
