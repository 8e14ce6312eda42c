import Foundation
import SignetCore

/// A repository for benchmarks: top-level targets delegates `team-NN/*` to each of `roles` roles,
/// which share `targets` target entries. Built and signed in memory with Ed25519 keys.
enum BenchRepository {
    struct Built {
        let files: [RepositoryFile]
        let targetPaths: [String]
    }

    static func build(targets: Int, roles: Int, now: TUFTime) throws -> Built {
        var keys: [String: SigningKey] = [:]
        var root = Root(expires: now.adding(seconds: ExpiryPolicy().root))
        for role in Root.topLevelRoles {
            keys[role] = try SigningKey.generate()
            root.addKey(keys[role]!.publicKey, to: role)
        }
        var repository = RepositoryMetadata.create(root: root, now: now)
        try repository.signStaged(Root.type, with: keys[Root.type]!)
        var topLevel = try repository.nextTargets(Targets.type, now: now)
        var delegations = Delegations(roles: [])
        var paths: [String] = []
        for index in 0..<roles {
            let name = String(format: "team-%02d", index)
            let key = try SigningKey.generate()
            delegations.keys[key.keyID] = key.publicKey
            delegations.roles?.append(DelegatedRole(name: name, keyIDs: [key.keyID], threshold: 1, paths: ["\(name)/*"]))
            var body = RepositoryMetadata.newTargetsRole(now: now)
            let count = targets / roles + (index < targets % roles ? 1 : 0)
            for item in 0..<count {
                let path = "\(name)/asset-\(item).png"
                body.targets[path] = TargetFile(contents: Array("\(path) contents".utf8), custom: ["screens": ["all"]])
                paths.append(path)
            }
            try repository.stageTargets(name, body)
            try repository.signStaged(name, with: key)
        }
        topLevel.delegations = delegations
        try repository.stageTargets(Targets.type, topLevel)
        try repository.signStaged(Targets.type, with: keys[Targets.type]!)
        let files = try repository.publish(snapshotKey: keys[Snapshot.type]!, timestampKey: keys[Timestamp.type]!, now: now)
        return Built(files: files, targetPaths: paths)
    }
}

/// One run of a client: the top-level refresh, and the whole run including every lookup.
struct RunTiming: CustomStringConvertible {
    let refresh: Double
    let total: Double

    var description: String { String(format: "%.1f ms (refresh %.1f ms)", total * 1000, refresh * 1000) }
}

/// Medians and their ratios, as text for people or JSON for tools.
struct BenchResult {
    let targets: Int
    let roles: Int
    let signet: [RunTiming]
    let pythonTUF: [RunTiming]

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    var signetTotal: Double { Self.median(signet.map(\.total)) }
    var pythonTotal: Double { Self.median(pythonTUF.map(\.total)) }
    var signetRefresh: Double { Self.median(signet.map(\.refresh)) }
    var pythonRefresh: Double { Self.median(pythonTUF.map(\.refresh)) }
    /// The headline: python-tuf's median time over ours for the whole run.
    var ratio: Double { pythonTotal / signetTotal }

    var text: String {
        func ms(_ seconds: Double) -> String { String(format: "%8.1f ms", seconds * 1000) }
        return """
            TUF refresh + \(targets) target lookups through \(roles) delegated roles, median of \(signet.count) runs each
                          refresh + lookups    top-level refresh only
              Signet      \(ms(signetTotal))          \(ms(signetRefresh))
              python-tuf  \(ms(pythonTotal))          \(ms(pythonRefresh))
              ratio       \(String(format: "%8.1f", ratio))x          \(String(format: "%8.1f", pythonRefresh / signetRefresh))x   (python-tuf time / Signet time)
            """
    }

    var json: String {
        func micros(_ values: [Double]) -> JSONValue { .array(values.map { .integer(Int64(($0 * 1e6).rounded())) }) }
        func micros(_ value: Double) -> JSONValue { .integer(Int64((value * 1e6).rounded())) }
        let value: JSONValue = [
            "benchmark": "tuf-refresh-and-lookups",
            "targets": .integer(Int64(targets)),
            "delegated_roles": .integer(Int64(roles)),
            "signet_median_us": micros(signetTotal),
            "python_tuf_median_us": micros(pythonTotal),
            "ratio_x100": .integer(Int64((ratio * 100).rounded())),
            "signet_refresh_median_us": micros(signetRefresh),
            "python_tuf_refresh_median_us": micros(pythonRefresh),
            "signet_runs_us": micros(signet.map(\.total)),
            "python_tuf_runs_us": micros(pythonTUF.map(\.total)),
        ]
        return JSONWriter.compact.string(value)
    }
}
