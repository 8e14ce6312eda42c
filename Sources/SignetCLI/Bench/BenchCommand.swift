import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that measure Signet against a reference implementation in the same run.",
        subcommands: [TUFBenchCommand.self, RenderBenchCommand.self, APIBenchCommand.self, FleetBenchCommand.self, LogBenchCommand.self, FleetReplicaCommand.self]
    )
}
