import Testing

@testable import SignetCore

@Suite("Delegation paths, hashed bins and role-name encoding")
struct PathPatternTests {
    @Test(arguments: [
        ("astana/flag.png", "astana/*", true),
        ("astana/2024/flag.png", "astana/*", false),
        ("astana/2024/flag.png", "astana/*/*.png", true),
        ("flag.png", "*.png", true),
        ("dir/flag.png", "*.png", false),
        ("a1.txt", "[abc]?.txt", true),
        ("d1.txt", "[abc]?.txt", false),
        ("b.txt", "[!a]*", true),
        ("a.txt", "[!a]*", false),
        ("x", "[a-z]", true),
        ("[", "[", true),
        ("file", "file", true),
        ("file", "fil", false),
        ("", "*", true),
        ("abcabd", "*ab?", true),
        ("abcabc", "*ab?d", false),
    ])
    func matchesLikePythonFnmatchPerSegment(_ path: String, _ pattern: String, _ expected: Bool) {
        #expect(PathPattern.matches(path, pattern: pattern) == expected)
    }

    @Test func hashedBinPrefixes() {
        // sha256("foo") = 2c26b46b...
        let role = DelegatedRole(name: "bin", keyIDs: [], threshold: 1, pathHashPrefixes: ["2c", "ff"])
        #expect(role.isDelegated(path: "foo"))
        #expect(!role.isDelegated(path: "bar"))  // fcde2b2e...
    }

    @Test func succinctRoleNames() {
        let bins = SuccinctRoles(keyIDs: [], threshold: 1, bitLength: 8, namePrefix: "bin")
        #expect(bins.binCount == 256)
        #expect(bins.roleName(forTarget: "foo") == "bin-2c")
        #expect(bins.allRoleNames.first == "bin-00")
        #expect(bins.allRoleNames.last == "bin-ff")
        #expect(bins.isRole("bin-2c"))
        #expect(!bins.isRole("bin-2C"))
        #expect(!bins.isRole("bin-100"))
        let small = SuccinctRoles(keyIDs: [], threshold: 1, bitLength: 3, namePrefix: "p")
        #expect(small.allRoleNames == ["p-0", "p-1", "p-2", "p-3", "p-4", "p-5", "p-6", "p-7"])
        #expect(small.roleName(forTarget: "foo") == "p-1")  // 0x2c >> 5
        let wide = SuccinctRoles(keyIDs: [], threshold: 1, bitLength: 12, namePrefix: "b")
        #expect(wide.roleName(bin: 5) == "b-005")
    }

    @Test func percentEncodingMatchesPythonQuote() {
        #expect(PercentEncoding.encode("/delegatedrole") == "%2Fdelegatedrole")
        #expect(PercentEncoding.encode("../delegatedrole") == "..%2Fdelegatedrole")
        #expect(PercentEncoding.encode("?") == "%3F")
        #expect(PercentEncoding.encode("#") == "%23")
        #expect(PercentEncoding.encode("city-astana_1.~x") == "city-astana_1.~x")
        #expect(PercentEncoding.encode("é z") == "%C3%A9%20z")
    }
}

@Suite("Delegation search order")
struct DelegationOrderTests {
    @Test func indexedLookupMatchesAScanOfEveryRole() {
        let patterns: [[String]] = [["team-01/*"], ["*/x.png"], ["team-02/*", "shared/*"], ["team-01/a*"], ["[st]eam-01/*"],
                                    ["team-03"], ["e\u{301}/*"], ["é/*"], ["*"]]
        var roles = patterns.enumerated().map { index, paths in
            DelegatedRole(name: "r\(index)", keyIDs: [], threshold: 1, terminating: index == 3, paths: paths)
        }
        roles.append(DelegatedRole(name: "bins", keyIDs: [], threshold: 1, pathHashPrefixes: ["2c", "a", "f"]))
        let delegations = Delegations(roles: roles)
        let targets = ["team-01/a.png", "team-01/x.png", "seam-01/b", "team-02/x.png", "shared/y", "team-03", "foo",
                       "e\u{301}/z", "é/z", "é/\u{301}", "x/x.png", "team-01", "/team-01", ""]
        for target in targets {
            let scanned = roles.filter { $0.isDelegated(path: target) }.map(\.name)
            #expect(delegations.roles(forTarget: target).map(\.name) == scanned, "\(target)")
        }
        #expect(delegations.roles(forTarget: "team-01/a.png").map(\.name).filter { $0.hasPrefix("r") } == ["r0", "r3", "r4"])
        #expect(delegations.roles(forTarget: "é/z").map(\.name).contains("r7"))
        #expect(!delegations.roles(forTarget: "é/z").map(\.name).contains("r6"))
    }
}
