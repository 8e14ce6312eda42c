import SignetCore
import SignetTUFClient

/// The player's proofs of play: the showing in progress and the finished records, chained, kept in
/// one file (replaced atomically) until the server acknowledges them. A power cut loses at most the
/// time since the last checkpoint of the showing in progress; nothing acknowledged-less is dropped.
actor PlayLog {
    let path: String
    let screen: String
    /// The device key the chain is signed with; a new key (a new enrollment) starts a new chain.
    let keyID: String
    private var head: PlayChainHead?
    private var pending: [PlayRecord] = []
    private var open: PlayRecord?

    init(path: String, screen: String, keyID: String) throws {
        self.path = path
        self.screen = screen
        self.keyID = keyID
        guard let bytes = try AtomicFile.read(path, maxBytes: 256 << 20) else { return }
        do {
            guard let object = try JSONParser(maxBytes: 256 << 20).parse(bytes).objectValue else { throw PlayProofError("not an object") }
            guard object["key"]?.stringValue == keyID else { return }
            if let saved = object["head"]?.objectValue {
                guard let sequence = saved["sequence"]?.integerValue, let hash = saved["hash"]?.stringValue else { throw PlayProofError("head") }
                head = PlayChainHead(sequence: sequence, hash: hash)
            }
            pending = try (object["pending"]?.arrayValue ?? []).map { value throws(PlayProofError) in try PlayRecord(json: value) }
            if let saved = object["open"], saved != .null {
                let record = try PlayRecord(json: saved)
                pending.append(record)
                head = PlayChainHead(sequence: record.sequence, hash: record.hash)
            }
        } catch {
            // The records are evidence: a damaged file is kept aside, never silently replaced.
            throw PlayerError("\(path): damaged proof-of-play file (\(error)); move it away to start a new chain")
        }
    }

    /// What is on screen now. The showing in progress goes on if it is the same, or ends and a new
    /// one starts.
    func observe(mode: PlayRecord.Mode, slide: String?, release: Int64?, fingerprint: String?, expected: String? = nil,
                 capture: PlayRecord.Capture? = nil, captured: String? = nil, contained: String? = nil, at now: Int64) throws {
        let next = PlayRecord(sequence: (head?.sequence ?? 0) + 1, previous: head?.hash ?? PlayRecord.genesis, screen: screen,
                              mode: mode, slide: mode == .black ? nil : slide, release: release, start: now, end: now, fingerprint: fingerprint,
                              expected: expected, capture: capture, captured: capture == .mismatch ? captured : nil,
                              contained: mode == .programme ? nil : contained)
        if var current = open, current.showsSame(as: next) {
            current.end = max(current.end, now)
            open = current
            return
        }
        if var current = open {
            current.end = max(current.start, now)
            close(current)
            open = PlayRecord(sequence: current.sequence + 1, previous: current.hash, screen: screen, mode: next.mode, slide: next.slide,
                              release: release, start: now, end: now, fingerprint: fingerprint, expected: expected, capture: next.capture,
                              captured: next.captured, contained: next.contained)
        } else {
            open = next
        }
        try save()
    }

    /// Saves the showing in progress as it stands.
    func checkpoint(at now: Int64) throws {
        if var current = open { current.end = max(current.end, now); open = current }
        try save()
    }

    /// The oldest unacknowledged records, at most a batch.
    func unacknowledged() -> [PlayRecord] { Array(pending.prefix(PlayBatch.maxRecords)) }

    var pendingCount: Int { pending.count }

    /// The server holds every record up to `sequence`: they leave the disk.
    func acknowledged(through sequence: Int64) throws {
        let before = pending.count
        pending.removeAll { $0.sequence <= sequence }
        if pending.count != before { try save() }
    }

    private func close(_ record: PlayRecord) {
        pending.append(record)
        head = PlayChainHead(sequence: record.sequence, hash: record.hash)
    }

    private func save() throws {
        var object: JSONObject = ["key": .string(keyID), "pending": .array(pending.map { .object($0.jsonObject()) })]
        if let head { object["head"] = ["sequence": .integer(head.sequence), "hash": .string(head.hash)] }
        if let open { object["open"] = .object(open.jsonObject()) }
        try AtomicFile.write(JSONWriter.compact.encode(.object(object)), to: path, permissions: 0o600)
    }
}
