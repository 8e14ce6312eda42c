import ArgumentParser
import AsyncHTTPClient
import Foundation
import SignetCore

/// Where a fleet command goes, and how long to wait for the screens to acknowledge it.
struct FleetTarget: ParsableArguments {
    @Option(help: "A screen (repeat for several).") var screen: [String] = []
    @Option(help: "Every screen of a group.") var group: String?
    @Flag(help: "Every screen (within your account's groups).") var all = false
    @Option(help: "The server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "Your API token (or SIGNET_TOKEN); an operator or admin account.") var token: String?
    @Option(help: "Seconds to wait for every acknowledgement.") var wait: Double = 10

    func validate() throws {
        guard [!screen.isEmpty, group != nil, all].filter({ $0 }).count == 1 else {
            throw ValidationError("give --screen (repeatable), --group or --all")
        }
    }

    /// Issues `action`, then reports each screen's acknowledgement as it arrives; fails unless
    /// every screen acknowledged in time that it carried the command out.
    func send(_ action: String) async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["SIGNET_TOKEN"] else {
            throw ValidationError("give --token or set SIGNET_TOKEN")
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        let api = APIClient(base: server.hasSuffix("/") ? String(server.dropLast()) : server, token: token, http: http)
        var body: JSONObject = ["action": .string(action)]
        if !screen.isEmpty { body["screens"] = .array(screen.map(JSONValue.string)) }
        if let group { body["group"] = .string(group) }
        if all { body["all"] = true }
        let started = ContinuousClock.now
        let issued = try await api.post("/api/v1/commands", body)["commands"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let ids = issued.compactMap { $0["id"]?.integerValue }
        status("\(action): \(ids.count) signed command\(ids.count == 1 ? "" : "s") issued; waiting up to \(Int(wait)) s for acknowledgements")
        var answered: [Int64: (screen: String, result: String, after: Double)] = [:]
        let deadline = started + .milliseconds(Int64(wait * 1000))
        while answered.count < ids.count, ContinuousClock.now < deadline {
            let open = ids.filter { answered[$0] == nil }
            let records = try await api.getJSON("/api/v1/commands?ids=\(open.map(String.init).joined(separator: ","))")["commands"]?.arrayValue ?? []
            for record in records.compactMap(\.objectValue) {
                guard let id = record["id"]?.integerValue, let result = record["result"]?.stringValue else { continue }
                let after = (ContinuousClock.now - started).seconds
                answered[id] = (record["screen"]?.stringValue ?? "?", result, after)
                print(String(format: "  %@: %@ (%.2f s)", answered[id]!.screen, result, after))
            }
            if answered.count < ids.count { try await Task.sleep(for: .milliseconds(100)) }
        }
        let missing = issued.filter { answered[$0["id"]?.integerValue ?? -1] == nil }.compactMap { $0["screen"]?.stringValue }
        for screen in missing { print("  \(screen): no acknowledgement") }
        let done = answered.values.filter { $0.result == "done" }.count
        print("\(action): \(done) of \(ids.count) screens acknowledged" + (answered.isEmpty ? "" : String(format: ", the last after %.2f s", answered.values.map(\.after).max()!)))
        guard done == ids.count else { throw ExitCode(1) }
    }
}

struct BlankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "blank", abstract: "Blank screens at once; wait for their acknowledgements.")
    @OptionGroup var target: FleetTarget
    func run() async throws { try await target.send("blank") }
}

struct SafeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "safe", abstract: "Show the signed safe slide; wait for acknowledgements.")
    @OptionGroup var target: FleetTarget
    func run() async throws { try await target.send("safe") }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Return screens to their approved programme; wait for acknowledgements.")
    @OptionGroup var target: FleetTarget
    func run() async throws { try await target.send("restore") }
}
