import Synchronization

/// One signature for a whole fan-out: the commands key signs the RFC 6962 Merkle root of the
/// commands issued together (one per screen), and each screen gets its own command with the signed
/// batch and the proof that its command is a leaf of that tree. A screen checks the signature and
/// its proof (about 14 hashes for 10,000 screens); the server signs once instead of once a screen.
///
/// The leaf of a command is the canonical JSON of its `signed` object.
public struct CommandBatch: RoleBody, Equatable {
    public static let type = "signet-command-batch"

    public var header: SignedHeader
    /// The tree's root hash, hex.
    public var root: String
    public var size: Int64

    static let fields = SignedHeader.knownFields + ["root", "size"]

    public init(root: [UInt8], size: Int64, expires: TUFTime) {
        header = SignedHeader(version: 1, expires: expires)
        self.root = Hex.encode(root)
        self.size = size
    }

    public init(signed: JSONValue, context: String = "batch") throws(TUFError) {
        let fields = try MetadataReader(signed, context: context)
        header = try SignedHeader(fields, type: Self.type)
        root = try fields.string("root")
        size = try fields.integer("size")
        if let unknown = fields.unrecognized(known: Self.fields).members.first {
            throw TUFError(.malformed, "\(context).\(unknown.key) is not a command batch field")
        }
        guard root.utf8.count == 64, Hex.decode(root) != nil else { throw TUFError(.malformed, "\(context).root: 64 hex digits") }
        guard size >= 1 else { throw TUFError(.malformed, "\(context).size must be at least 1") }
    }

    public func jsonObject() -> JSONObject {
        var object = JSONObject()
        header.write(into: &object, type: Self.type)
        object["root"] = .string(root)
        object["size"] = .integer(size)
        return object
    }
}

/// Commands issued together, signed once; `document(at:)` is what screen `index` receives:
/// `{"batch": SIGNED-BATCH, "index": i, "proof": [hex, ...], "signed": COMMAND}`.
public struct SignedCommandBatch: Sendable {
    public let commands: [Command]
    /// Each command's canonical JSON: the bytes its leaf hashes.
    public let leaves: [[UInt8]]
    public let tree: MerkleTree
    /// The signed batch, compact JSON, the same in every screen's document.
    public let batch: [UInt8]

    /// Signs `commands` (at least one) with `key`; the batch expires with the latest command.
    public init(_ commands: [Command], key: SigningKey) throws {
        precondition(!commands.isEmpty, "a batch holds at least one command")
        self.commands = commands
        leaves = commands.map { CanonicalJSON.encode(.object($0.jsonObject())) }
        tree = MerkleTree(leafHashes: leaves.map(MerkleHash.leaf))
        var metadata = Metadata(signed: CommandBatch(root: tree.root, size: Int64(commands.count),
                                                     expires: commands.map(\.expires).max()!))
        try metadata.sign(with: key)
        batch = metadata.encoded()
    }

    /// The document for the command at `index`.
    public func document(at index: Int) -> [UInt8] {
        Self.document(batch: batch, index: index, proof: tree.inclusionProof(index: index), signed: leaves[index])
    }

    /// A document from its parts (a server keeps the batch and the tree's leaves, not every
    /// screen's document), its keys in sorted order.
    public static func document(batch: [UInt8], index: Int, proof: [[UInt8]], signed: [UInt8]) -> [UInt8] {
        var bytes = Array(#"{"batch":"#.utf8) + batch + Array(#","index":\#(index),"proof":["#.utf8)
        for (position, hash) in proof.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += Array("\"\(Hex.encode(hash))\"".utf8)
        }
        return bytes + Array(#"],"signed":"#.utf8) + signed + [UInt8(ascii: "}")]
    }
}

/// A command as a screen receives it, parsed and checked for shape; `verify` checks it belongs
/// to a batch the commands key signed.
public struct BatchedCommand: Sendable {
    public let command: Command
    public let batch: Metadata<CommandBatch>
    public let index: Int64
    public let proof: [[UInt8]]
    /// The leaf: the canonical JSON of `signed` as received.
    let leaf: [UInt8]

    public init(json value: JSONValue) throws(TUFError) {
        let fields = try MetadataReader(value, context: "command")
        if let unknown = fields.unrecognized(known: ["batch", "index", "proof", "signed"]).members.first {
            throw TUFError(.malformed, "command.\(unknown.key) is not part of a batched command")
        }
        let signed = try fields.value("signed")
        command = try Command(signed: signed, context: "command.signed")
        leaf = CanonicalJSON.encode(signed)
        batch = try Metadata<CommandBatch>(json: try fields.value("batch"), roleName: "command.batch")
        index = try fields.integer("index")
        let hashes = try fields.stringArray("proof")
        guard hashes.count <= 64 else { throw TUFError(.malformed, "command.proof: at most 64 hashes") }
        var proof: [[UInt8]] = []
        for hash in hashes {
            guard hash.utf8.count == 64, let bytes = Hex.decode(hash) else { throw TUFError(.malformed, "command.proof: hashes of 64 hex digits") }
            proof.append(bytes)
        }
        self.proof = proof
    }

    /// Checks the batch's signatures against the commands keys (unless `verified` already holds
    /// this exact signed batch) and the command's inclusion in it.
    public func verify(keys: CommandKeys, verified: VerifiedBatches? = nil) throws(TUFError) {
        let identity = verified.map { _ in VerifiedBatches.identity(of: batch, keys: keys) }
        if let verified, let identity, verified.contains(identity) {
            // The same signed bytes, signatures and keys were verified before.
        } else {
            try batch.verify(delegatedBy: keys, as: CommandBatch.type)
            if let identity { verified?.insert(identity) }
        }
        guard let root = Hex.decode(batch.signed.root),
              MerkleTree.verifyInclusion(leafHash: MerkleHash.leaf(leaf), index: index, size: batch.signed.size, proof: proof, root: root)
        else {
            throw TUFError(.threshold, "the command is not in the signed batch (its inclusion proof fails)")
        }
    }
}

/// Batches whose signatures were verified, for a process that holds many screens (the fleet
/// simulator): each simulated screen still checks its own command's proof, screen, sequence and
/// expiry, but the same batch signature is verified once, not once per screen. Entries name the
/// signed bytes, the signatures and the trusted keys exactly, so nothing else can match them.
public final class VerifiedBatches: Sendable {
    private let entries = Mutex<[String]>([])
    private let capacity: Int

    public init(capacity: Int = 64) { self.capacity = capacity }

    static func identity(of batch: Metadata<CommandBatch>, keys: CommandKeys) -> String {
        var bytes = batch.canonicalSigned
        for signature in batch.signatures { bytes += Array("\n\(signature.keyID) \(signature.signature)".utf8) }
        bytes += Array("\n\(keys.role.threshold) \(keys.role.keyIDs.sorted().joined(separator: " "))".utf8)
        for keyID in keys.role.keyIDs.sorted() { bytes += keys.keys[keyID].map { CanonicalJSON.encode(.object($0.json)) } ?? [] }
        return HashAlgorithm.digest("sha256", of: bytes)!
    }

    func contains(_ identity: String) -> Bool { entries.withLock { $0.contains(identity) } }

    func insert(_ identity: String) {
        entries.withLock { entries in
            entries.append(identity)
            if entries.count > capacity { entries.removeFirst() }
        }
    }
}
