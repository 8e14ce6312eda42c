import SignetCore
import SignetForensics
import Testing

/// Evidence comes from a server the reader need not trust: it parses exactly, or not at all,
/// with the member named.
@Suite("Forensic evidence: a strict format that round-trips and names what is wrong")
struct ForensicEvidenceTests {
    static let record = PlayRecord(sequence: 1, previous: PlayRecord.genesis, screen: "astana-1", mode: .programme, slide: "welcome", release: 1,
                                   start: 1_732_669_200_000, end: 1_732_669_205_000, fingerprint: "v1:00")
    static let evidence = ForensicEvidence(
        screen: "astana-1", at: Instant(millisecondsSince1970: 1_732_669_202_000), from: Instant(millisecondsSince1970: 1_732_668_602_000),
        to: Instant(millisecondsSince1970: 1_732_669_802_000), checkpoint: "signet.local/log\n1\nAAAA\n\n— x\n", roots: [[1, 2, 3]],
        plays: [.init(record: record, key: "k", batch: 7)],
        batches: [.init(id: 7, signed: [123, 125], publicKey: PublicKey(keyType: "ed25519", scheme: "ed25519", publicValue: String(repeating: "a", count: 64)),
                        logIndex: 3, enrollLogIndex: nil)],
        releases: [.init(role: "targets", metadata: [9], delegator: nil, programme: [8], proposal: 1, proposedBy: "editor",
                         signers: [.init(keyID: "ab", account: "approver", at: Instant(millisecondsSince1970: 1_732_669_000_000), logIndex: 2)],
                         publishLogIndex: 4)],
        commands: [.init(id: 5, issuedBy: "operator", issuedAt: Instant(millisecondsSince1970: 1_732_669_100_000), acknowledgedAt: nil, result: nil,
                         document: [1], logIndex: nil)],
        entries: [.init(index: 3, entry: [4, 5], proof: [Array(repeating: 0, count: 32)])])

    @Test func itRoundTripsThroughJSON() throws {
        let encoded = JSONWriter.compact.encode(Self.evidence.jsonValue())
        let parsed = try ForensicEvidence(json: try JSONParser().parse(encoded))
        #expect(JSONWriter.compact.encode(parsed.jsonValue()) == encoded)
        #expect(parsed.plays.first?.record == Self.record)
        #expect(parsed.batches.first?.publicKey.keyID == Self.evidence.batches.first?.publicKey.keyID)
        #expect(parsed.releases.first?.signers.first?.account == "approver")
    }

    @Test func badEvidenceIsRefusedNamingTheMember() throws {
        let cases: [(path: [String], value: JSONValue?, error: String)] = [
            (["_type"], nil, "evidence._type: required"),
            (["plays", "0", "record", "mode"], "dark", #"evidence.plays[0].record.mode "dark" is not one of programme, safe, black"#),
            (["batches", "0", "signed"], "not base64!", "evidence.batches[0].signed: bytes in base64"),
            (["entries", "0", "proof", "0"], "AAAA", "evidence.entries[0].proof[0]: 32 bytes"),
            (["releases", "0", "signers", "0", "at"], "yesterday", "evidence.releases[0].signers[0].at: an ISO 8601 time"),
            (["commands", "0", "log_index"], "3", "evidence.commands[0].log_index: an integer or null"),
            (["roots"], .object([:]), "evidence.roots: an array"),
        ]
        for bad in cases {
            let value = Self.replacing(bad.path[...], with: bad.value, in: Self.evidence.jsonValue())
            #expect(throws: ForensicError(bad.error)) { try ForensicEvidence(json: value) }
        }
    }

    /// `value` with the member at `path` replaced (or removed, for nil).
    static func replacing(_ path: ArraySlice<String>, with replacement: JSONValue?, in value: JSONValue) -> JSONValue {
        guard let key = path.first else { return replacement ?? .null }
        if let index = Int(key), var array = value.arrayValue {
            array[index] = replacing(path.dropFirst(), with: replacement, in: array[index])
            return .array(array)
        }
        var object = JSONObject()
        for member in value.objectValue?.members ?? [] where member.key != key { object[member.key] = member.value }
        if path.count > 1 || replacement != nil {
            object[key] = replacing(path.dropFirst(), with: replacement, in: value.objectValue?[key] ?? .null)
        }
        return .object(object)
    }
}
