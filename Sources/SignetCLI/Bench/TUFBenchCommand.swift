import ArgumentParser
import Foundation
import SignetCore
import SignetSystem
import SignetTUFClient

/// `signet bench tuf`: a full TUF refresh plus a lookup of every target, ours against python-tuf's
/// ngclient, on the same repository served by the same local HTTP server, in one run.
struct TUFBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuf",
        abstract: "Time a refresh and lookups of 10,000 targets in 50 delegated roles: Signet vs python-tuf."
    )

    @Option(help: "Targets in the repository.") var targets = 10_000
    @Option(help: "Delegated targets roles the targets are spread over.") var roles = 50
    @Option(help: "Timed runs per client (the median is reported).") var iterations = 7
    @Option(help: "A Python with python-tuf installed (default: .venv-interop/bin/python, then python3).")
    var python: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        guard targets >= roles, roles >= 1, iterations >= 1 else { throw ValidationError("need targets >= roles >= 1") }
        let python = try findPython()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }

        status("building a repository: \(targets) targets in \(roles) delegated roles …")
        let built = try BenchRepository.build(targets: targets, roles: roles, now: Clock.now())
        try AtomicFile.createDirectory("\(work)/repository/metadata")
        for file in built.files { try AtomicFile.write(file.bytes, to: "\(work)/repository/metadata/\(file.path)") }
        let rootPath = "\(work)/repository/metadata/1.root.json"
        try AtomicFile.write(Array(built.targetPaths.joined(separator: "\n").utf8), to: "\(work)/targets.txt")
        let totalBytes = built.files.filter { !$0.path.first!.isNumber }.reduce(0) { $0 + $1.bytes.count }
        status("  \(built.files.count) metadata files, \(totalBytes / 1024) KiB per full refresh")

        let (server, port) = try await startFileServer(folder: "\(work)/repository")
        defer { server.stop() }
        let metadataURL = "http://127.0.0.1:\(port)/metadata/"

        // Runs alternate between the two clients, so that drift in this machine's speed (shared
        // cores, other load) falls on both alike.
        status("\(iterations) runs each, alternating Signet and python-tuf …")
        let script = try SourceTree.locate("Interop/python_tuf_bench.py")
        var ours: [RunTiming] = [], theirs: [RunTiming] = []
        for run in 1...iterations {
            let mine = try await timeSignet(metadataURL: metadataURL, rootPath: rootPath, paths: built.targetPaths,
                                            folder: "\(work)/signet-\(run)")
            let reference = try timePythonTUF(python: python, script: script, metadataURL: metadataURL, rootPath: rootPath,
                                              targetList: "\(work)/targets.txt")
            ours.append(mine)
            theirs.append(reference)
            status("  run \(run): Signet \(mine), python-tuf \(reference)")
        }

        let result = BenchResult(targets: targets, roles: roles, signet: ours, pythonTUF: theirs)
        print(json ? result.json : result.text)
    }

    func findPython() throws -> String {
        for candidate in [python, ".venv-interop/bin/python", "python3"].compactMap({ $0 }) {
            guard let path = findExecutable(candidate) else { continue }
            let check = try ChildProcess(path, ["-c", "import tuf.ngclient"])
            if (try? check.finish()) != nil { return path }
        }
        throw CLIError("""
            no Python with python-tuf found; create one with:
              python3 -m venv .venv-interop && .venv-interop/bin/pip install tuf "securesystemslib[crypto]"
            """)
    }

    /// `signet repo serve` in its own process on a free loopback port: the same server for both
    /// clients, and one that answers in microseconds, so that it does not dominate either client.
    func startFileServer(folder: String) async throws -> (ChildProcess, Int) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<60_000)
            let server = try ChildProcess(executable, ["repo", "serve", folder, "--port", String(port)], captureOutput: false)
            for _ in 0..<50 {
                if (try? await HTTPFetcher().fetch("http://127.0.0.1:\(port)/metadata/1.root.json", maxBytes: 1 << 20)) != nil {
                    return (server, port)
                }
                try await Task.sleep(for: .milliseconds(100))
                if !server.isRunning { break }
            }
            server.stop()
        }
        throw CLIError("could not start `signet repo serve` on a loopback port")
    }

    /// One run of python-tuf's ngclient (its own process; the timing excludes interpreter start-up).
    func timePythonTUF(python: String, script: String, metadataURL: String, rootPath: String, targetList: String)
        throws -> RunTiming
    {
        let output = try ChildProcess(python, [script, metadataURL, rootPath, targetList, "1"]).finish()
        let reference = try JSONParser().parse(output).objectValue
        func microseconds(_ key: String) -> Int64? { reference?[key]?.arrayValue?.first?.integerValue }
        guard let total = microseconds("microseconds"), let refresh = microseconds("refresh_microseconds"),
              reference?["found"]?.integerValue == Int64(targets)
        else { throw CLIError("python-tuf did not report a run that found all \(targets) targets") }
        return RunTiming(refresh: Double(refresh) / 1e6, total: Double(total) / 1e6)
    }

    /// One timed run from an empty metadata folder: refresh, then look up every target.
    func timeSignet(metadataURL: String, rootPath: String, paths: [String], folder: String) async throws -> RunTiming {
        try AtomicFile.createDirectory(folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try MetadataStore(directory: folder).persist(Root.type, try readFile(rootPath))
        let start = ContinuousClock.now
        var updater = try Updater(metadataBaseURL: metadataURL, metadataDirectory: folder, fetcher: HTTPFetcher(),
                                  now: Clock.now())
        try await updater.refresh()
        let refreshed = ContinuousClock.now
        var found = 0
        for path in paths where try await updater.targetInfo(for: path) != nil { found += 1 }
        try await updater.flush()
        let end = ContinuousClock.now
        guard found == paths.count else { throw CLIError("Signet found \(found) of \(paths.count) targets") }
        return RunTiming(refresh: (refreshed - start).seconds, total: (end - start).seconds)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
