/// The outcome of searching the loaded targets metadata for a target path.
public enum TargetSearch: Sendable, Equatable {
    case found(TargetFile)
    case notFound
    /// The search must look into `role`, delegated by `delegator`, which is not loaded yet.
    case needsRole(String, delegator: String)
}

extension TrustedMetadataSet {
    /// The pre-order depth-first delegation search of spec 5.6.7 over the roles already loaded:
    /// children in listed order, a matching terminating role ends the search, a role already
    /// visited is skipped, at most `maxDelegations` roles are visited. When the next role to visit
    /// is not loaded, it says so; the caller loads it and searches again.
    ///
    /// A loaded role reached through a delegator it was not verified against is verified against
    /// that delegator's keys first: authority is not inherited from another search path.
    public mutating func findTarget(_ targetPath: String, maxDelegations: Int) throws(TUFError) -> TargetSearch {
        guard var current = trustedTargets(Targets.type) else { return .needsRole(Targets.type, delegator: Root.type) }
        var currentName = Targets.type
        // Roles still to visit (the top of the stack is the next one) and roles visited: at most
        // maxDelegations + 1 names each, so arrays and scans beat sets.
        var toVisit: [(role: String, delegator: String)] = []
        var visited: [String] = []
        while true {
            if let target = current.metadata.signed.targets[targetPath] { return .found(target) }
            visited.append(currentName)
            if let delegations = current.metadata.signed.delegations {
                // Children go on the stack so that the first listed is visited first; a matching
                // terminating role drops the roles that were still pending and ends the list.
                var firstChild = toVisit.count
                delegations.forEachRole(forTarget: targetPath) { name, terminating in
                    if terminating {
                        toVisit.removeSubrange(..<firstChild)
                        firstChild = 0
                    }
                    toVisit.append((name, currentName))
                    return !terminating
                }
                toVisit[firstChild...].reverse()
            }
            var next: (role: String, delegator: String)?
            while visited.count <= maxDelegations, let candidate = toVisit.popLast() {
                if !visited.contains(where: { $0.hasSameUTF8(as: candidate.role) }) {
                    next = candidate
                    break
                }
            }
            guard let (role, delegator) = next else { return .notFound }
            guard let loaded = trustedTargets(role) else { return .needsRole(role, delegator: delegator) }
            if !isTrusted(role, delegatedBy: delegator) { try verifyLoaded(role, delegatedBy: delegator) }
            current = loaded
            currentName = role
        }
    }
}
