import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import SignetCore
import SignetServer
import SignetSystem
import SignetTUFClient

/// `signet bench log`: the transparency log's appends per second through the server's audit path,
/// against Go's sumdb tlog writing the same entries to files; proofs at the log's full size; and
/// how fast `signet audit verify` checks it over HTTP.
struct LogBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Log appends per second (anchor: Go's sumdb tlog), proof times at 1,000,000 entries, and the rate of audit verify."
    )

    @Option(help: "Entries to append.") var entries = 1_000_000
    @Option(help: "Entries per transaction (and per sync, for the anchor).") var batch = 1_000
    @Option(help: "Proofs to time (the median is reported).") var proofs = 200
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        guard entries >= batch, batch >= 1, proofs >= 1 else { throw ValidationError("need entries >= batch >= 1 and proofs >= 1") }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bench-log-\(UUID().uuidString)").path
        try AtomicFile.createDirectory(work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var report = LogBenchReport(entries: entries, batch: batch)

        let clock = SystemWallClock()
        _ = try ServerSetup.initialise(folder: work, custodians: [.generate], custodianThreshold: 1, approvers: [.generate], approverThreshold: 1,
                                       now: clock.now().tufTime)
        let store = try ServerStore(path: "\(work)/signet.sqlite")
        status("appends: \(entries) events through the audit path (audit row, log entry, tile hashes), \(batch) per transaction …")
        let start = clock.now().millisecondsSince1970
        let started = ContinuousClock.now
        // Two writers at a time, as concurrent requests would be: one batch is encoded while the
        // one before it is written (the store has one writer; encoding happens outside it).
        let entries = self.entries, batch = self.batch
        try await withThrowingTaskGroup(of: Void.self) { writers in
            for (number, first) in stride(from: 0, to: entries, by: batch).enumerated() {
                if number >= 2 { try await writers.next() }
                writers.addTask {
                    try await store.audit((first..<min(first + batch, entries)).map { n in
                        LoggedEvent(at: Instant(millisecondsSince1970: start + Int64(n)), actor: "operator", action: "screen.update",
                                    subject: "screen-\(n % 10_000)", address: "10.0.0.1", detail: ["n": .integer(Int64(n))])
                    })
                }
                if (first + batch) % 100_000 == 0 { status("  \(first + batch) appended") }
            }
            try await writers.waitForAll()
        }
        report.appendSeconds = (ContinuousClock.now - started).seconds

        status("anchor: Go's sumdb tlog, the same number of entries, stored hashes and entries appended to files, synced every \(batch) …")
        report.anchorSeconds = try runAnchor(folder: work)

        status("proofs at \(entries) entries: \(proofs) inclusion and \(proofs) consistency proofs …")
        let size = Int64(entries)
        guard let root = try await store.logRoot(size: size) else { throw CLIError("the log has fewer than \(size) entries") }
        var inclusion: [Double] = [], consistency: [Double] = []
        var generator = SplitMix64(seed: 2024)  // every run proves the same entries
        for _ in 0..<proofs {
            let index = Int64(generator.next() % UInt64(size))
            var began = ContinuousClock.now
            guard let proof = try await store.logInclusionProof(index: index, size: size) else { throw CLIError("no proof for entry \(index)") }
            inclusion.append((ContinuousClock.now - began).seconds)
            let entry = try await store.logEntries(from: index, count: 1)[0].entry
            guard MerkleTree.verifyInclusion(leafHash: MerkleHash.leaf(entry), index: index, size: size, proof: proof, root: root) else {
                throw CLIError("the inclusion proof of entry \(index) does not verify")
            }
            let old = Int64(generator.next() % UInt64(size)) + 1
            began = ContinuousClock.now
            guard let path = try await store.logConsistencyProof(from: old, to: size) else { throw CLIError("no proof from \(old)") }
            consistency.append((ContinuousClock.now - began).seconds)
            guard let oldRoot = try await store.logRoot(size: old),
                  ConsistencyProof.verify(first: old, second: size, firstRoot: oldRoot, secondRoot: root, proof: path)
            else { throw CLIError("the consistency proof from \(old) does not verify") }
        }
        report.inclusionSeconds = BenchResult.median(inclusion)
        report.consistencySeconds = BenchResult.median(consistency)

        status("audit verify: the whole log over HTTP from a server on loopback …")
        report.verifySeconds = try await timeVerify(store: store, folder: work)
        print(json ? report.json : report.text)
    }

    /// Builds and runs the Go anchor; its seconds.
    func runAnchor(folder: String) throws -> Double {
        guard let go = findExecutable("go") else {
            throw CLIError("the anchor needs Go with golang.org/x/mod (Debian: golang-go golang-golang-x-mod-dev)")
        }
        let source = try SourceTree.locate("Interop/log-anchor/main.go")
        try AtomicFile.createDirectory("\(folder)/anchor")
        let build = "GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE='\(folder)/gocache' '\(go)' build -o '\(folder)/log-anchor' '\(source)'"
        try ChildProcess("/bin/sh", ["-c", build]).finish()
        let output = String(decoding: try ChildProcess("\(folder)/log-anchor", ["-dir", "\(folder)/anchor", "-entries", String(entries),
                                                                                 "-batch", String(batch)]).finish(), as: UTF8.self)
        let fields = output.split(separator: " ")
        guard fields.count == 2, Int(fields[0]) == entries, let seconds = Double(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIError("the anchor printed \(output)")
        }
        return seconds
    }

    /// `signet audit verify`'s check of the whole log, against a server on loopback over this store.
    func timeVerify(store: ServerStore, folder: String) async throws -> Double {
        var logger = Logger(label: "signet.bench")
        logger.logLevel = .error
        var config = ServerConfig()
        config.dataDirectory = folder
        config.port = 0
        config.bcryptCost = 4
        let port = PortBox()
        let application = buildApplication(config: config, store: store, logger: logger) { recordPort($0, into: port) }
        let token = try await store.createAccountWithAPIToken(name: "auditor", role: .viewer, passwordHash: ServerStore.hashPassword(UUID().uuidString, cost: 4),
                                                              label: "bench", at: SystemWallClock().now())
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let root = try Metadata<Root>(bytes: try AtomicFile.read("\(folder)/repository/metadata/1.root.json") ?? [])
        let key = try NoteKey(logOf: root.signed)
        return try await withThrowingTaskGroup(of: Double?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            tasks.addTask {
                let reader = LogReader(api: APIClient(base: "http://127.0.0.1:\(try await port.wait())", token: token, http: HTTPClient.shared))
                let started = ContinuousClock.now
                let verified = try await reader.verify(key: key, trusted: nil) { _ in }
                let seconds = (ContinuousClock.now - started).seconds
                await group.triggerGracefulShutdown()
                guard verified.checkpoint.size >= Int64(entries) else { throw CLIError("verified \(verified.checkpoint.size) entries") }
                return seconds
            }
            var seconds = 0.0
            for try await value in tasks { if let value { seconds = value } }
            return seconds
        }
    }
}

struct LogBenchReport {
    let entries: Int
    let batch: Int
    var appendSeconds = 0.0
    var anchorSeconds = 0.0
    var inclusionSeconds = 0.0
    var consistencySeconds = 0.0
    var verifySeconds = 0.0

    var appendRate: Double { Double(entries) / appendSeconds }
    var anchorRate: Double { Double(entries) / anchorSeconds }
    var verifyRate: Double { Double(entries) / verifySeconds }

    var text: String {
        """
        signet bench log (the server's SQLite store on disk, write-ahead log synced at each commit)
        appends through the audit path (audit row, log entry, tile hashes), \(batch) per transaction:
          \(String(format: "%.0f", appendRate)) entries/s (\(entries) in \(String(format: "%.1f", appendSeconds)) s)   (target: at least 50,000/s)
        anchor, Go's sumdb tlog (golang.org/x/mod): the same number of entries and their stored hashes appended to files, synced every \(batch):
          \(String(format: "%.0f", anchorRate)) entries/s; Signet's rate is \(String(format: "%.2f", appendRate / anchorRate)) of the anchor's
        proofs at \(entries) entries (median, from the store, each one verified):
          inclusion \(String(format: "%.2f", inclusionSeconds * 1000)) ms, consistency \(String(format: "%.2f", consistencySeconds * 1000)) ms
        signet audit verify over HTTP on loopback, the whole log (every entry parsed, hashed, checked against its tiles and the signed root):
          \(String(format: "%.0f", verifyRate)) entries/s (\(String(format: "%.1f", verifySeconds)) s)
        """
    }

    var json: String {
        String(decoding: JSONWriter.compact.encode(.object([
            "entries": .integer(Int64(entries)), "batch": .integer(Int64(batch)),
            "appends_per_second": .integer(Int64(appendRate)), "anchor_appends_per_second": .integer(Int64(anchorRate)),
            "inclusion_proof_ms_p50": .string(String(format: "%.3f", inclusionSeconds * 1000)),
            "consistency_proof_ms_p50": .string(String(format: "%.3f", consistencySeconds * 1000)),
            "audit_verify_entries_per_second": .integer(Int64(verifyRate)),
        ])), as: UTF8.self)
    }
}
