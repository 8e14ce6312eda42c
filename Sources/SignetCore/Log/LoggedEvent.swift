/// One entry of the server's transparency log: an event (who did what, to what, when, from
/// where, with what details) as canonical JSON, small enough for a tile's entry bundle.
public struct LoggedEvent: Sendable, Equatable {
    public let at: Instant
    public let actor: String
    public let action: String
    public let subject: String
    public let address: String
    public let detail: JSONObject

    public init(at: Instant, actor: String, action: String, subject: String, address: String, detail: JSONObject) {
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.address = address
        self.detail = detail
    }

    /// The entry's bytes. Details that would make it too big for an entry bundle are logged as
    /// their SHA-256 and length (the server's audit table keeps them whole).
    public var entry: [UInt8] {
        var object: JSONObject = ["at": .string(at.iso8601), "at_ms": .integer(at.millisecondsSince1970), "actor": .string(actor),
                                  "action": .string(action), "subject": .string(subject), "address": .string(address), "detail": .object(detail)]
        let whole = CanonicalJSON.encode(.object(object))
        guard whole.count > EntryBundle.maxEntryBytes else { return whole }
        let detailBytes = CanonicalJSON.encode(.object(detail))
        object["detail"] = .object(["omitted_sha256": .string(HashAlgorithm.digest("sha256", of: detailBytes)!),
                                    "omitted_bytes": .integer(Int64(detailBytes.count))])
        return CanonicalJSON.encode(.object(object))
    }

    /// Reads an entry back; anything but an entry this type writes is refused.
    public init(entry: [UInt8]) throws(LogFormatError) {
        let value: JSONValue
        do { value = try JSONParser(maxBytes: EntryBundle.maxEntryBytes).parse(entry) } catch { throw LogFormatError("log entry: \(error)") }
        guard let object = value.objectValue, Set(object.keys) == ["at", "at_ms", "actor", "action", "subject", "address", "detail"],
              let milliseconds = object["at_ms"]?.integerValue, let actor = object["actor"]?.stringValue,
              let action = object["action"]?.stringValue, let subject = object["subject"]?.stringValue,
              let address = object["address"]?.stringValue, let detail = object["detail"]?.objectValue,
              object["at"]?.stringValue == Instant(millisecondsSince1970: milliseconds).iso8601
        else { throw LogFormatError("log entry: not an event (at, at_ms, actor, action, subject, address, detail)") }
        self.init(at: Instant(millisecondsSince1970: milliseconds), actor: actor, action: action, subject: subject, address: address, detail: detail)
        guard self.entry == entry else { throw LogFormatError("log entry: not in canonical form") }
    }
}

extension NoteKey {
    /// The log's key as the signed root names it: `x-signet.log.vkey`, a C2SP verifier key whose
    /// name is the log's origin.
    public init(logOf root: Root) throws(TUFError) {
        guard let text = root.unrecognized["x-signet"]?.objectValue?["log"]?.objectValue?["vkey"]?.stringValue else {
            throw TUFError(.missingMetadata, "root v\(root.version) names no log key (x-signet.log.vkey)")
        }
        do { try self.init(verifierKey: text) } catch { throw TUFError(.malformed, "root.x-signet.log.vkey: \(error.description)") }
    }

    /// The root's extension entry naming this key as the log's.
    public var rootEntry: JSONValue { .object(["vkey": .string(verifierKey)]) }
}
