import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Closed-loop HTTP load: `connections` tasks, each sending its next request as soon as the last
/// one is answered, for a fixed time. Latencies include the client's own work (signing, for
/// device requests), the same for every server measured.
struct HTTPLoad {
    struct Result: Sendable {
        let requests: Int
        let failures: Int
        let seconds: Double
        let latencies: [Double]

        var perSecond: Double { Double(requests) / seconds }
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    let http: HTTPClient
    let connections: Int
    let duration: Duration

    /// `request(worker, n)` builds the n-th request of a worker; `expect` is the status that counts as success.
    func run(expect status: HTTPResponseStatus = .ok,
             _ request: @escaping @Sendable (Int, Int) throws -> HTTPClientRequest) async throws -> Result {
        let deadline = ContinuousClock.now + duration
        let started = ContinuousClock.now
        let workers = try await withThrowingTaskGroup(of: (Int, Int, [Double]).self) { group in
            for worker in 0..<connections {
                group.addTask {
                    var done = 0, failed = 0, latencies: [Double] = []
                    latencies.reserveCapacity(100_000)
                    while ContinuousClock.now < deadline {
                        let sent = ContinuousClock.now
                        let response = try await http.execute(try request(worker, done + failed), timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 16 << 20)
                        latencies.append((ContinuousClock.now - sent).seconds)
                        if response.status == status { done += 1 } else { failed += 1 }
                    }
                    return (done, failed, latencies)
                }
            }
            var all: [(Int, Int, [Double])] = []
            for try await worker in group { all.append(worker) }
            return all
        }
        return Result(requests: workers.reduce(0) { $0 + $1.0 }, failures: workers.reduce(0) { $0 + $1.1 },
                      seconds: (ContinuousClock.now - started).seconds, latencies: workers.flatMap(\.2))
    }
}
