import AsyncHTTPClient
import Foundation
import SignetCore
import SignetTUFClient

/// An approver witnesses the server's transparency log before signing: the newest checkpoint they
/// accepted is kept on their machine, with the root that names the log's key (updated only along
/// the root's own signed chain), and a newer checkpoint is taken only with a consistency proof. A
/// server that shows its approvers a rewritten or shortened history gets no signature.
struct ApproverWitness {
    /// Holds `metadata/root.json` (the trusted root) and `log-checkpoint`.
    let folder: String

    /// `~/.signet/witness/HOST_PORT`: one memory per server.
    static func defaultFolder(server: String) -> String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        let name = server.split(separator: "://").last.map(String.init) ?? server
        return "\(home)/.signet/witness/" + String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
    }

    /// Witnesses the log of `server`; throws, refusing, on a fork or a rollback. `root`: a root the
    /// approver trusts (from the key ceremony), needed the first time.
    func check(server: String, api: APIClient, http: HTTPClient, root: String?) async throws -> CheckpointWitness.Outcome {
        let metadata = "\(folder)/metadata"
        let store = MetadataStore(directory: metadata)
        if try store.load(Root.type, maxBytes: 1 << 20) == nil {
            guard let root else {
                throw CLIError("the first time you approve on \(server), give --root with the root you trust (1.root.json from the key ceremony): "
                               + "it names the key of the log you witness")
            }
            guard let bytes = try AtomicFile.read(root, maxBytes: 1 << 20) else { throw CLIError("\(root): no such file") }
            _ = try TrustedMetadataSet(trustedRoot: bytes, referenceTime: Clock.now())
            try AtomicFile.createDirectory(metadata, permissions: 0o700)
            try store.persist(Root.type, bytes)
        }
        var updater = try Updater(metadataBaseURL: server + "/repository/metadata/", metadataDirectory: metadata,
                                  fetcher: HTTPFetcher(client: http), now: Clock.now())
        try await updater.updateRoot()
        let key = try NoteKey(logOf: updater.trusted.root.signed)
        let note = String(decoding: try await api.get("/log/checkpoint", maxBytes: 64 << 10), as: UTF8.self)
        let outcome = try await CheckpointWitness(path: "\(folder)/log-checkpoint").witness(note, key: key) { from, to in
            try CheckpointWitness.proof(json: try await api.get("/api/v1/log/consistency?from=\(from)&to=\(to)", maxBytes: 64 << 10))
        }
        switch outcome.verdict {
        case .first:
            status("log \(key.name): \(outcome.offered.size) entries; the first checkpoint you witness (kept in \(folder))")
        case .unchanged, .extended:
            status("log \(key.name): \(outcome.offered.size) entries, an extension of the \(outcome.held?.size ?? 0) you witnessed before")
        case .fork(let why), .rollback(let why):
            throw CLIError("refusing to sign: the server's transparency log is not the history you witnessed (\(why)). "
                           + "Your checkpoint of \(outcome.held?.size ?? 0) entries stays in \(folder)/log-checkpoint as evidence; "
                           + "tell the other approvers and the security contact")
        }
        return outcome
    }
}
