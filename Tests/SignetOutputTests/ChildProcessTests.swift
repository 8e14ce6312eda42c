#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SignetSystem
import Testing

@Suite("Child processes inherit nothing but their own standard streams")
struct ChildProcessTests {
    /// A child must not inherit the pipes of another child that is still running: one holding
    /// another's input open keeps that one from ever seeing the end of its input, and two
    /// commands started at once (as tests and players do) then wait on each other for ever.
    @Test func aChildHoldsOnlyItsOwnStandardStreams() throws {
        let first = try ChildProcess("/bin/cat", [], captureOutput: true, pipeInput: true)
        defer { first.stop() }
        let second = try ChildProcess("/bin/sleep", ["5"], captureOutput: true, pipeInput: true)
        defer { second.stop() }
        // A program may open a file of its own for a moment as it starts (its locale, say); an
        // inherited descriptor stays. Read until only the standard streams are left, for a second.
        var descriptors: [Int] = []
        for _ in 0..<20 {
            descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(second.pid)/fd").compactMap(Int.init).sorted()
            if descriptors == [0, 1, 2] { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(descriptors == [0, 1, 2], "the second child also holds \(descriptors.filter { $0 > 2 })")
        // And the first still ends as soon as its input does.
        try first.write(Array("hello\n".utf8))
        let started = ContinuousClock.now
        #expect(try first.finish() == Array("hello\n".utf8))
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
