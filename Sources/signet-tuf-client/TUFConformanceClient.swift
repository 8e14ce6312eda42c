import ArgumentParser
import Foundation
import SignetCore
import SignetTUFClient

/// The tuf-conformance client CLI: `init`, `refresh` and `download`, options before the subcommand,
/// exit status exactly 0 or 1, and one line on standard error saying why on failure.
@main
struct TUFConformanceClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signet-tuf-client",
        abstract: "A TUF client with the tuf-conformance command-line interface.",
        subcommands: [Init.self, Refresh.self, Download.self]
    )

    @Option(help: "Folder of trusted metadata.") var metadataDir: String
    @Option(help: "Base URL of the repository's metadata.") var metadataUrl: String?
    @Option(help: "Target path to download (repeatable).") var targetName: [String] = []
    @Option(help: "Folder to store downloaded targets in.") var targetDir: String?
    @Option(help: "Base URL of the repository's targets.") var targetBaseUrl: String?

    /// Runs `body`, turning any failure into one line on standard error and exit status 1.
    static func exitOnFailure(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            FileHandle.standardError.write(Data("signet-tuf-client: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    func updater() throws -> Updater {
        guard let metadataUrl else { throw ValidationError("--metadata-url is required") }
        return try Updater(metadataBaseURL: metadataUrl, metadataDirectory: metadataDir, fetcher: SchemeFetcher(),
                           now: TUFTime(secondsSince1970: Int64(Date().timeIntervalSince1970)))
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trust ROOT: copy it into the metadata folder.")
        @ParentCommand var options: TUFConformanceClient
        @Argument(help: "The initial trusted root.json.") var trustedRoot: String

        func run() async throws {
            try await TUFConformanceClient.exitOnFailure {
                guard let bytes = try AtomicFile.read(trustedRoot, maxBytes: UpdaterConfig().rootMaxLength) else {
                    throw TUFError(.storage, "\(trustedRoot) does not exist")
                }
                try AtomicFile.createDirectory(options.metadataDir)
                try MetadataStore(directory: options.metadataDir).persist(Root.type, bytes)
            }
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Update the top-level metadata.")
        @ParentCommand var options: TUFConformanceClient

        func run() async throws {
            try await TUFConformanceClient.exitOnFailure {
                var updater = try options.updater()
                try await updater.refresh()
            }
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refresh, then download each target in order.")
        @ParentCommand var options: TUFConformanceClient

        func run() async throws {
            try await TUFConformanceClient.exitOnFailure {
                guard let targetDir = options.targetDir, let baseURL = options.targetBaseUrl else {
                    throw ValidationError("--target-dir and --target-base-url are required")
                }
                var updater = try options.updater()
                do {
                    try await updater.refresh()
                    try AtomicFile.createDirectory(targetDir)
                    for name in options.targetName {
                        guard let info = try await updater.targetInfo(for: name) else {
                            throw TUFError(.missingMetadata, "target \(name) is not in trusted metadata")
                        }
                        if updater.cachedTarget(name, info: info, directory: targetDir) == nil {
                            _ = try await updater.downloadTarget(name, info: info, baseURL: baseURL, directory: targetDir)
                        }
                    }
                } catch {
                    try? await updater.flush()  // keep what verified before the failure
                    throw error
                }
                try await updater.flush()
            }
        }
    }
}
