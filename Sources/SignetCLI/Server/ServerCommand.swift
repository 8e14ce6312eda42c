import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SignetCore
import SignetSystem
import SignetServer
import SignetTUFClient

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "The Signet server: accounts, screens, content and releases over a JSON API.",
        subcommands: [Run.self, Init.self],
        defaultSubcommand: Run.self
    )

    struct Options: ParsableArguments {
        @Option(help: "A JSON config file (see README: Server configuration).") var config: String?
        @Option(help: "The data folder (overrides the config file; SIGNET_DATA overrides both).") var data: String?

        func load() throws -> ServerConfig {
            var config = ServerConfig()
            if let path = self.config {
                guard let bytes = try AtomicFile.read(path, maxBytes: 64 * 1024) else { throw CLIError("config file \(path) does not exist") }
                config = try ServerConfig(json: bytes)
            }
            if let data { config.dataDirectory = data }
            try config.applyEnvironment(ProcessInfo.processInfo.environment)
            return config
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Serve until interrupted (Ctrl-C stops cleanly).")

        @OptionGroup var options: Options

        func run() async throws {
            let config = try options.load()
            let database = "\(config.dataDirectory)/signet.sqlite"
            guard FileManager.default.fileExists(atPath: "\(config.dataDirectory)/repository") else {
                throw CLIError("no Signet data in \(config.dataDirectory); create it with: signet server init --data \(config.dataDirectory)")
            }
            let store = try await ServerStore.open(config.database, sqlitePath: database)
            let logger = ServerLogging.logger(config)
            let where_ = config.database == .sqlite ? "" : ", database \(config.database)"
            status("Signet server on http://\(config.host):\(config.port) (data \(config.dataDirectory)\(where_)); Ctrl-C stops it")
            let app = buildApplication(config: config, store: store, logger: logger)
            try await app.runService()
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create the data folder and the first admin account, whose one-time password is printed once."
        )

        @OptionGroup var options: Options
        @Option(help: "The first admin account's name.") var admin = "admin"
        @Option(name: .customLong("custodian-key"), help: "A root custodian's public key file (repeat); none: generate --custodians keys for a trial.")
        var custodianKeys: [String] = []
        @Option(help: "How many custodian keys to generate when none are given.") var custodians = 3
        @Option(help: "Custodian signatures a root needs.") var custodianThreshold = 2
        @Option(name: .customLong("approver-key"), help: "An approver's public key file (repeat); none: generate --approvers keys for a trial.")
        var approverKeys: [String] = []
        @Option(help: "How many approver keys to generate when none are given.") var approvers = 3
        @Option(help: "Approver signatures a release needs.") var approverThreshold = 2
        @Option(help: "The transparency log's origin, the first line of every checkpoint: one name per network (e.g. signage.example.city/log).")
        var logOrigin = ServerSetup.defaultLogOrigin

        func run() async throws {
            let config = try options.load()
            let folder = config.dataDirectory
            let database = "\(folder)/signet.sqlite"
            guard !FileManager.default.fileExists(atPath: database), !FileManager.default.fileExists(atPath: "\(folder)/repository") else {
                throw CLIError("\(folder) already holds a Signet server; refusing to initialise it again")
            }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            func holders(_ files: [String], generate count: Int) throws -> [ServerSetup.Holder] {
                files.isEmpty ? Array(repeating: .generate, count: count) : try files.map { .supplied(try KeyFile.load($0).publicKey) }
            }
            let report = try ServerSetup.initialise(
                folder: folder, custodians: try holders(custodianKeys, generate: custodians), custodianThreshold: custodianThreshold,
                approvers: try holders(approverKeys, generate: approvers), approverThreshold: approverThreshold, logOrigin: logOrigin,
                now: Clock.now())
            for line in report.lines { status(line) }
            let store = try await ServerStore.open(config.database, sqlitePath: database)
            let password = try await store.createFirstAdmin(name: admin, cost: config.bcryptCost, at: SystemWallClock().now())
            status("created \(config.database == .sqlite ? database : "the tables in \(config.database)") and the admin account \(admin)")
            print("""
                admin account: \(admin)
                one-time password (shown only now; it must be changed at first sign-in): \(password)
                """)
        }
    }
}
