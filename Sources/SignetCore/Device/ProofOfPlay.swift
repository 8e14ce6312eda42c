/// Proof of play: a player's own account of what its screen showed, one record per showing of one
/// thing (a slide of a release, the safe slide, black), hash-chained on the device and sent in
/// batches signed with the device key. A record cannot be changed, dropped or reordered after it
/// is chained without breaking every later link, and a batch cannot be made without the key.
public struct PlayProofError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public struct PlayRecord: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case programme, safe, black
    }

    /// The `previous` of a chain's first record.
    public static let genesis = String(repeating: "0", count: 64)
    static let fields: Set<String> = ["sequence", "previous", "screen", "mode", "slide", "release", "start", "end", "fingerprint",
                                      "expected", "capture", "captured", "contained"]

    /// What the screen's capture saw while the record's frame was output.
    public enum Capture: String, Sendable, CaseIterable {
        /// The picture matched the frame.
        case match
        /// It did not (`captured` holds the first picture that did not).
        case mismatch
        /// A capture is configured but delivered nothing readable.
        case missing
    }

    /// 1, 2, 3, ... along the device's chain.
    public var sequence: Int64
    /// The hash of the record before (hex SHA-256 of its canonical JSON).
    public var previous: String
    public var screen: String
    public var mode: Mode
    /// The slide shown; nil when black, or when the programme schedules nothing.
    public var slide: String?
    /// The release (programme version) it came from; nil when the player had none.
    public var release: Int64?
    /// Milliseconds since 1970 by the device's clock, start inclusive, end exclusive.
    public var start: Int64
    public var end: Int64
    /// The frame's fingerprint (`v1:` and hex), as the renderer computed it.
    public var fingerprint: String?
    /// The fingerprint the release approved for the slide on this screen, when it carries one.
    public var expected: String?
    /// Nil when the screen has no capture.
    public var capture: Capture?
    public var captured: String?
    /// Set when containment, not a command, holds the screen on the safe slide or black: the step.
    public var contained: String?

    public init(sequence: Int64, previous: String, screen: String, mode: Mode, slide: String?, release: Int64?,
                start: Int64, end: Int64, fingerprint: String?, expected: String? = nil, capture: Capture? = nil, captured: String? = nil,
                contained: String? = nil) {
        self.sequence = sequence
        self.previous = previous
        self.screen = screen
        self.mode = mode
        self.slide = slide
        self.release = release
        self.start = start
        self.end = end
        self.fingerprint = fingerprint
        self.expected = expected
        self.capture = capture
        self.captured = captured
        self.contained = contained
    }

    public init(json value: JSONValue, context: String = "record") throws(PlayProofError) {
        guard let object = value.objectValue else { throw PlayProofError("\(context): an object") }
        if let unknown = object.members.first(where: { !Self.fields.contains($0.key) }) {
            throw PlayProofError("\(context).\(unknown.key) is not a proof-of-play field")
        }
        func integer(_ key: String) throws(PlayProofError) -> Int64 {
            guard let value = object[key]?.integerValue else { throw PlayProofError("\(context).\(key): an integer") }
            return value
        }
        func text(_ key: String, optional: Bool = false, maxBytes: Int = 128) throws(PlayProofError) -> String? {
            guard let member = object[key], member != .null else {
                if optional { return nil }
                throw PlayProofError("\(context).\(key): required")
            }
            guard let value = member.stringValue, !value.isEmpty, value.utf8.count <= maxBytes else {
                throw PlayProofError("\(context).\(key): a string of 1 to \(maxBytes) bytes")
            }
            return value
        }
        sequence = try integer("sequence")
        previous = try text("previous")!
        screen = try text("screen")!
        let mode = try text("mode")!
        guard let parsed = Mode(rawValue: mode) else {
            throw PlayProofError("\(context).mode \"\(mode)\" is not one of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.mode = parsed
        slide = try text("slide", optional: true)
        if let member = object["release"], member != .null {
            guard let release = member.integerValue, release > 0 else { throw PlayProofError("\(context).release: a positive integer") }
            self.release = release
        }
        start = try integer("start")
        end = try integer("end")
        fingerprint = try text("fingerprint", optional: true, maxBytes: 512)
        expected = try text("expected", optional: true, maxBytes: 512)
        captured = try text("captured", optional: true, maxBytes: 512)
        if let name = try text("capture", optional: true) {
            guard let capture = Capture(rawValue: name) else {
                throw PlayProofError("\(context).capture \"\(name)\" is not one of \(Capture.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.capture = capture
        }
        contained = try text("contained", optional: true)
        guard captured == nil || capture == .mismatch else { throw PlayProofError("\(context).captured: only with capture mismatch") }
        guard sequence > 0 else { throw PlayProofError("\(context).sequence must be at least 1") }
        guard previous.utf8.count == 64, Hex.decode(previous) != nil else { throw PlayProofError("\(context).previous: 64 hex digits") }
        guard start > 0, end >= start else { throw PlayProofError("\(context): start must be a positive time and end not before it") }
        // Black shows no slide; the safe slide is one; the programme may show none (outside its hours).
        guard parsed != .black || slide == nil else { throw PlayProofError("\(context).slide: none when the mode is black") }
        guard parsed != .safe || slide != nil else { throw PlayProofError("\(context).slide: required when the mode is safe") }
    }

    public func jsonObject() -> JSONObject {
        var object: JSONObject = ["sequence": .integer(sequence), "previous": .string(previous), "screen": .string(screen),
                                  "mode": .string(mode.rawValue), "start": .integer(start), "end": .integer(end)]
        if let slide { object["slide"] = .string(slide) }
        if let release { object["release"] = .integer(release) }
        if let fingerprint { object["fingerprint"] = .string(fingerprint) }
        if let expected { object["expected"] = .string(expected) }
        if let capture { object["capture"] = .string(capture.rawValue) }
        if let captured { object["captured"] = .string(captured) }
        if let contained { object["contained"] = .string(contained) }
        return object
    }

    /// What the next record's `previous` must be.
    public var hash: String { HashAlgorithm.digest("sha256", of: CanonicalJSON.encode(.object(jsonObject())))! }

    /// Whether `other` is the same showing (so this record goes on instead of a new one starting).
    public func showsSame(as other: PlayRecord) -> Bool {
        screen == other.screen && mode == other.mode && slide == other.slide && release == other.release && fingerprint == other.fingerprint
            && expected == other.expected && capture == other.capture && contained == other.contained
    }
}

/// The last record a verifier has accepted from a device's chain.
public struct PlayChainHead: Sendable, Equatable {
    public let sequence: Int64
    public let hash: String

    public init(sequence: Int64, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }
}

/// Consecutive records of one screen's chain, signed by its device key:
/// `{"signed": {"_type": "signet-play-batch", "screen": S, "records": [...]}, "signatures": [{"keyid", "sig"}]}`,
/// the signature over the canonical JSON of `signed`, as in TUF.
public struct PlayBatch: Sendable, Equatable {
    public static let type = "signet-play-batch"
    public static let maxRecords = 500

    public let screen: String
    public let records: [PlayRecord]
    /// The key that signed it.
    public let keyID: String

    /// The signed batch's bytes.
    public static func sign(_ records: [PlayRecord], screen: String, key: SigningKey) throws -> [UInt8] {
        let signed: JSONValue = .object(["_type": .string(type), "screen": .string(screen), "records": .array(records.map { .object($0.jsonObject()) })])
        let signature = Signature(keyID: key.keyID, signature: Hex.encode(try key.sign(CanonicalJSON.encode(signed))))
        return JSONWriter.compact.encode(.object(["signed": signed, "signatures": [signature.jsonValue()]]))
    }

    /// Parses a signed batch and checks it whole: signed by `key`, every record of `screen`, the
    /// records consecutive and each linked to the one before.
    public init(bytes: some Collection<UInt8>, key: PublicKey, screen: String) throws(PlayProofError) {
        let value: JSONValue
        do { value = try JSONParser(maxBytes: max(bytes.count, 1)).parse(bytes) } catch {
            throw PlayProofError("batch: \(error)")
        }
        guard let envelope = value.objectValue, let signed = envelope["signed"], let body = signed.objectValue,
              let signatures = envelope["signatures"]?.arrayValue, envelope.members.count == 2 else {
            throw PlayProofError("batch: {\"signed\": ..., \"signatures\": [...]} and nothing else")
        }
        guard body["_type"]?.stringValue == Self.type else { throw PlayProofError("batch.signed._type: \(Self.type)") }
        if let unknown = body.members.first(where: { !["_type", "screen", "records"].contains($0.key) }) {
            throw PlayProofError("batch.signed.\(unknown.key) is not a batch field")
        }
        guard body["screen"]?.stringValue == screen else { throw PlayProofError("batch.signed.screen: the batch is not for screen \(screen)") }
        let message = CanonicalJSON.encode(signed)
        let valid = signatures.contains { entry in
            guard let object = entry.objectValue, object["keyid"]?.stringValue == key.keyID,
                  let bytes = object["sig"]?.stringValue.flatMap(Hex.decode) else { return false }
            return key.verify(signature: bytes, message: message)
        }
        guard valid else { throw PlayProofError("batch: not signed by the screen's device key \(key.keyID.prefix(16))") }
        guard let array = body["records"]?.arrayValue, !array.isEmpty, array.count <= Self.maxRecords else {
            throw PlayProofError("batch.signed.records: 1 to \(Self.maxRecords) records")
        }
        var records: [PlayRecord] = []
        for (index, element) in array.enumerated() {
            let record = try PlayRecord(json: element, context: "batch.signed.records[\(index)]")
            guard record.screen == screen else { throw PlayProofError("batch.signed.records[\(index)].screen is not \(screen)") }
            if let last = records.last {
                guard record.sequence == last.sequence + 1, record.previous == last.hash else {
                    throw PlayProofError("batch.signed.records[\(index)] does not follow record \(last.sequence): the chain is broken")
                }
            }
            records.append(record)
        }
        self.screen = screen
        self.records = records
        keyID = key.keyID
    }

    /// The records that extend a verifier's chain after `head` (none if it has them all). The
    /// batch may repeat records the verifier holds (a player sends again what was not
    /// acknowledged), but only if they are the same records; it may not leave a gap.
    public func extending(_ head: PlayChainHead?) throws(PlayProofError) -> [PlayRecord] {
        guard let first = records.first, let last = records.last else { return [] }
        guard let head else {
            guard first.sequence == 1, first.previous == PlayRecord.genesis else {
                throw PlayProofError("the chain starts at record 1 after \(PlayRecord.genesis.prefix(8))...; this batch starts at \(first.sequence)")
            }
            return records
        }
        // Entirely older than the head: nothing to add, and nothing here to compare it with.
        if last.sequence < head.sequence { return [] }
        if first.sequence > head.sequence + 1 {
            throw PlayProofError("records \(head.sequence + 1) to \(first.sequence - 1) are missing: the chain has a gap")
        }
        if first.sequence == head.sequence + 1 {
            guard first.previous == head.hash else {
                throw PlayProofError("record \(first.sequence) does not follow the accepted record \(head.sequence): the chain is broken")
            }
            return records
        }
        let overlap = records[Int(head.sequence - first.sequence)]
        guard overlap.hash == head.hash else {
            throw PlayProofError("record \(head.sequence) differs from the one accepted before: the chain was rewritten")
        }
        return Array(records[Int(head.sequence - first.sequence + 1)...])
    }
}
