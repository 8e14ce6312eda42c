import ArgumentParser

/// `signet`: the command line of the Signet signage control system.
public struct SignetCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "signet",
        abstract: "Signet: a signage control system that shows only what approvers signed.",
        subcommands: [DemoCommand.self, DrillCommand.self, ServerCommand.self, PlayerCommand.self, ApproveCommand.self, AuditCommand.self, ForensicsCommand.self, BlankCommand.self, SafeCommand.self, RestoreCommand.self, FleetSimCommand.self, RenderCommand.self, TimelineCommand.self, SendCommand.self, KeysCommand.self, RepoCommand.self, BenchCommand.self]
    )

    public init() {}
}
