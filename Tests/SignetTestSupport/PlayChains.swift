import SignetCore

/// A valid proof-of-play chain for tests: records of 10 s from `start`, every third one black.
public func playChain(_ count: Int, screen: String = "astana-1", after head: PlayChainHead? = nil,
                     start: Int64 = 1_732_665_600_000) -> [PlayRecord] {
    var records: [PlayRecord] = []
    var previous = head?.hash ?? PlayRecord.genesis
    var sequence = (head?.sequence ?? 0) + 1
    for index in 0..<count {
        let at = start + Int64(sequence - 1) * 10_000
        let black = index % 3 == 2
        let record = PlayRecord(sequence: sequence, previous: previous, screen: screen, mode: black ? .black : .programme,
                                slide: black ? nil : "slide-\(sequence)", release: 3, start: at, end: at + 10_000, fingerprint: "v1:\(sequence)")
        records.append(record)
        previous = record.hash
        sequence += 1
    }
    return records
}
