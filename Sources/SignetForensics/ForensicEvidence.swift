import Foundation
import SignetCore

public struct ForensicError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything the server holds about one screen around one moment, as signed bytes and log
/// entries rather than the server's word: the proofs of play with the device-signed batches they
/// came in, the releases (published metadata with the approvers' signatures, and the programme),
/// the commands as the screen received them, every root, and the log entries that record each of
/// these with inclusion proofs under a signed checkpoint. `ForensicExamination` checks it all
/// with a root the reader trusts; nothing here is believed because the server says so.
public struct ForensicEvidence: Sendable {
    public static let type = "signet-forensic-evidence"

    public struct Play: Sendable {
        public let record: PlayRecord
        /// The device key that signed its chain.
        public let key: String
        public let batch: Int64

        public init(record: PlayRecord, key: String, batch: Int64) {
            self.record = record
            self.key = key
            self.batch = batch
        }
    }

    public struct PlayBatchFile: Sendable {
        public let id: Int64
        /// The batch exactly as the device signed and sent it.
        public let signed: [UInt8]
        public let publicKey: PublicKey
        public let logIndex: Int64?
        /// The log entry that enrolled the key for the screen.
        public let enrollLogIndex: Int64?

        public init(id: Int64, signed: [UInt8], publicKey: PublicKey, logIndex: Int64?, enrollLogIndex: Int64?) {
            self.id = id
            self.signed = signed
            self.publicKey = publicKey
            self.logIndex = logIndex
            self.enrollLogIndex = enrollLogIndex
        }
    }

    public struct Signer: Sendable {
        public let keyID: String
        public let account: String
        public let at: Instant
        public let logIndex: Int64?

        public init(keyID: String, account: String, at: Instant, logIndex: Int64?) {
            self.keyID = keyID
            self.account = account
            self.at = at
            self.logIndex = logIndex
        }
    }

    public struct Release: Sendable {
        /// `targets`, or a group's `group-NAME`.
        public let role: String
        /// The published metadata of the role's version, with the approvers' signatures.
        public let metadata: [UInt8]
        /// For a group's role: the network's targets metadata that delegates it.
        public let delegator: [UInt8]?
        /// The programme document the metadata names.
        public let programme: [UInt8]
        public let proposal: Int64
        public let proposedBy: String
        public let signers: [Signer]
        public let publishLogIndex: Int64?

        public init(role: String, metadata: [UInt8], delegator: [UInt8]?, programme: [UInt8], proposal: Int64, proposedBy: String, signers: [Signer], publishLogIndex: Int64?) {
            self.role = role
            self.metadata = metadata
            self.delegator = delegator
            self.programme = programme
            self.proposal = proposal
            self.proposedBy = proposedBy
            self.signers = signers
            self.publishLogIndex = publishLogIndex
        }
    }

    public struct IssuedCommand: Sendable {
        public let id: Int64
        public let issuedBy: String
        public let issuedAt: Instant
        public let acknowledgedAt: Instant?
        public let result: String?
        /// The document the screen received: the signed batch, the command and its proof.
        public let document: [UInt8]
        public let logIndex: Int64?

        public init(id: Int64, issuedBy: String, issuedAt: Instant, acknowledgedAt: Instant?, result: String?, document: [UInt8], logIndex: Int64?) {
            self.id = id
            self.issuedBy = issuedBy
            self.issuedAt = issuedAt
            self.acknowledgedAt = acknowledgedAt
            self.result = result
            self.document = document
            self.logIndex = logIndex
        }
    }

    public struct LogEntry: Sendable {
        public let index: Int64
        public let entry: [UInt8]
        /// The inclusion proof in the checkpoint's tree (empty when the entry is newer than it).
        public let proof: [[UInt8]]

        public init(index: Int64, entry: [UInt8], proof: [[UInt8]]) {
            self.index = index
            self.entry = entry
            self.proof = proof
        }
    }

    public let screen: String
    public let at: Instant
    public let from: Instant
    public let to: Instant
    /// The log's signed checkpoint that the entries' proofs lead to.
    public let checkpoint: String
    /// Root metadata, version 1 upwards.
    public let roots: [[UInt8]]
    public let plays: [Play]
    public let batches: [PlayBatchFile]
    public let releases: [Release]
    public let commands: [IssuedCommand]
    public let entries: [LogEntry]

    public init(screen: String, at: Instant, from: Instant, to: Instant, checkpoint: String, roots: [[UInt8]], plays: [Play],
                batches: [PlayBatchFile], releases: [Release], commands: [IssuedCommand], entries: [LogEntry]) {
        self.screen = screen
        self.at = at
        self.from = from
        self.to = to
        self.checkpoint = checkpoint
        self.roots = roots
        self.plays = plays
        self.batches = batches
        self.releases = releases
        self.commands = commands
        self.entries = entries
    }
}

// MARK: JSON

extension ForensicEvidence {
    public func jsonValue() -> JSONValue {
        func base64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }
        func optional(_ index: Int64?) -> JSONValue { index.map(JSONValue.integer) ?? .null }
        return .object([
            "_type": .string(Self.type), "screen": .string(screen), "at": .string(at.iso8601),
            "from": .string(from.iso8601), "to": .string(to.iso8601), "checkpoint": .string(checkpoint),
            "roots": .array(roots.map(base64)),
            "plays": .array(plays.map { .object(["record": .object($0.record.jsonObject()), "key": .string($0.key), "batch": .integer($0.batch)]) }),
            "batches": .array(batches.map {
                .object(["id": .integer($0.id), "signed": base64($0.signed), "public_key": .object($0.publicKey.json), "log_index": optional($0.logIndex),
                         "enroll_log_index": optional($0.enrollLogIndex)])
            }),
            "releases": .array(releases.map { release in
                .object(["role": .string(release.role), "metadata": base64(release.metadata), "delegator": release.delegator.map(base64) ?? .null,
                         "programme": base64(release.programme), "proposal": .integer(release.proposal), "proposed_by": .string(release.proposedBy),
                         "publish_log_index": optional(release.publishLogIndex),
                         "signers": .array(release.signers.map {
                             .object(["keyid": .string($0.keyID), "account": .string($0.account), "at": .string($0.at.iso8601),
                                      "log_index": optional($0.logIndex)])
                         })])
            }),
            "commands": .array(commands.map {
                .object(["id": .integer($0.id), "issued_by": .string($0.issuedBy), "issued_at": .string($0.issuedAt.iso8601),
                         "acknowledged_at": $0.acknowledgedAt.map { .string($0.iso8601) } ?? .null, "result": $0.result.map(JSONValue.string) ?? .null,
                         "document": base64($0.document), "log_index": optional($0.logIndex)])
            }),
            "entries": .array(entries.map { .object(["index": .integer($0.index), "entry": base64($0.entry), "proof": .array($0.proof.map(base64))]) }),
        ])
    }

    /// Parses evidence strictly (it comes from a server the reader need not trust): every member
    /// of the right type, bytes in base64, times in ISO 8601.
    public init(json value: JSONValue) throws(ForensicError) {
        let top = try Reader(value, "evidence")
        guard try top.text("_type") == Self.type else { throw ForensicError("evidence._type: \(Self.type)") }
        screen = try top.text("screen")
        at = try top.instant("at")
        from = try top.instant("from")
        to = try top.instant("to")
        checkpoint = try top.text("checkpoint")
        roots = try top.array("roots").enumerated().map { index, item throws(ForensicError) in try Reader.bytes(item, "evidence.roots[\(index)]") }
        plays = try top.objects("plays").map { play throws(ForensicError) in
            let value = try play.value("record"), record: PlayRecord
            do throws(PlayProofError) { record = try PlayRecord(json: value, context: "\(play.context).record") } catch { throw ForensicError(error.description) }
            return Play(record: record, key: try play.text("key"), batch: try play.integer("batch"))
        }
        batches = try top.objects("batches").map { batch throws(ForensicError) in
            let value = try batch.value("public_key"), key: PublicKey
            do throws(TUFError) { key = try PublicKey(json: value, context: "\(batch.context).public_key") } catch { throw ForensicError(error.description) }
            return PlayBatchFile(id: try batch.integer("id"), signed: try batch.bytes("signed"), publicKey: key, logIndex: try batch.optionalInteger("log_index"),
                                 enrollLogIndex: try batch.optionalInteger("enroll_log_index"))
        }
        releases = try top.objects("releases").map { release throws(ForensicError) in
            Release(role: try release.text("role"), metadata: try release.bytes("metadata"), delegator: try release.optionalBytes("delegator"),
                    programme: try release.bytes("programme"), proposal: try release.integer("proposal"), proposedBy: try release.text("proposed_by"),
                    signers: try release.objects("signers").map { signer throws(ForensicError) in
                        Signer(keyID: try signer.text("keyid"), account: try signer.text("account"), at: try signer.instant("at"),
                               logIndex: try signer.optionalInteger("log_index"))
                    },
                    publishLogIndex: try release.optionalInteger("publish_log_index"))
        }
        commands = try top.objects("commands").map { command throws(ForensicError) in
            IssuedCommand(id: try command.integer("id"), issuedBy: try command.text("issued_by"), issuedAt: try command.instant("issued_at"),
                          acknowledgedAt: try command.optionalText("acknowledged_at").map { text throws(ForensicError) in
                              guard let instant = Instant(iso8601: text) else { throw ForensicError("\(command.context).acknowledged_at: an ISO 8601 time") }
                              return instant
                          },
                          result: try command.optionalText("result"), document: try command.bytes("document"), logIndex: try command.optionalInteger("log_index"))
        }
        entries = try top.objects("entries").map { entry throws(ForensicError) in
            LogEntry(index: try entry.integer("index"), entry: try entry.bytes("entry"),
                     proof: try entry.array("proof").enumerated().map { index, item throws(ForensicError) in
                         let hash = try Reader.bytes(item, "\(entry.context).proof[\(index)]")
                         guard hash.count == 32 else { throw ForensicError("\(entry.context).proof[\(index)]: 32 bytes") }
                         return hash
                     })
        }
    }

    /// Typed access to one JSON object, naming the member in every error.
    struct Reader {
        let object: JSONObject
        let context: String

        init(_ value: JSONValue, _ context: String) throws(ForensicError) {
            guard let object = value.objectValue else { throw ForensicError("\(context): an object") }
            self.object = object
            self.context = context
        }

        func value(_ key: String) throws(ForensicError) -> JSONValue {
            guard let value = object[key] else { throw ForensicError("\(context).\(key): required") }
            return value
        }

        func text(_ key: String) throws(ForensicError) -> String {
            guard let text = try value(key).stringValue else { throw ForensicError("\(context).\(key): a string") }
            return text
        }

        func optionalText(_ key: String) throws(ForensicError) -> String? {
            guard let value = object[key], value != .null else { return nil }
            guard let text = value.stringValue else { throw ForensicError("\(context).\(key): a string or null") }
            return text
        }

        func integer(_ key: String) throws(ForensicError) -> Int64 {
            guard let number = try value(key).integerValue else { throw ForensicError("\(context).\(key): an integer") }
            return number
        }

        func optionalInteger(_ key: String) throws(ForensicError) -> Int64? {
            guard let value = object[key], value != .null else { return nil }
            guard let number = value.integerValue else { throw ForensicError("\(context).\(key): an integer or null") }
            return number
        }

        func instant(_ key: String) throws(ForensicError) -> Instant {
            guard let instant = Instant(iso8601: try text(key)) else { throw ForensicError("\(context).\(key): an ISO 8601 time") }
            return instant
        }

        func bytes(_ key: String) throws(ForensicError) -> [UInt8] { try Self.bytes(try value(key), "\(context).\(key)") }

        func optionalBytes(_ key: String) throws(ForensicError) -> [UInt8]? {
            guard let value = object[key], value != .null else { return nil }
            return try Self.bytes(value, "\(context).\(key)")
        }

        func array(_ key: String) throws(ForensicError) -> [JSONValue] {
            guard let array = try value(key).arrayValue else { throw ForensicError("\(context).\(key): an array") }
            return array
        }

        func objects(_ key: String) throws(ForensicError) -> [Reader] {
            var readers: [Reader] = []
            for (index, item) in try array(key).enumerated() { readers.append(try Reader(item, "\(context).\(key)[\(index)]")) }
            return readers
        }

        static func bytes(_ value: JSONValue, _ context: String) throws(ForensicError) -> [UInt8] {
            guard let text = value.stringValue, let data = Data(base64Encoded: text) else { throw ForensicError("\(context): bytes in base64") }
            return Array(data)
        }
    }
}
