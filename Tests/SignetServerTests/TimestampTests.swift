import Foundation
import Logging
import SignetCore
import SignetTUFClient
import Testing

@testable import SignetServer

@Suite("The timestamp is re-signed on a schedule with a short expiry")
struct TimestampTests {
    @Test func theServiceReSignsUntilStopped() async throws {
        let fixture = try ServerFixture()
        let data = fixture.config.dataDirectory
        defer { try? FileManager.default.removeItem(atPath: data) }
        try ReleaseTests.trialRepository(fixture)
        var expiry = ExpiryPolicy()
        expiry.timestamp = 600
        let publisher = ReleasePublisher(folder: data, store: fixture.store,
                                         assets: AssetFiles(directory: "\(data)/assets", maxBytes: 1024), expiry: expiry)
        fixture.clock.advance(minutes: 5)
        #expect(try await publisher.refreshTimestamp(now: fixture.clock.now()) == 2)
        let service = TimestampService(publisher: publisher, clock: fixture.clock, interval: .milliseconds(20), logger: Logger(label: "test"))
        let running = Task { try await service.run() }
        func current() throws -> Metadata<Timestamp> {
            try Metadata<Timestamp>(bytes: try #require(try AtomicFile.read("\(data)/repository/metadata/timestamp.json")))
        }
        // Wait for two more rounds (other tests may keep this process's threads busy for a while).
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while try current().signed.version < 4, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        running.cancel()
        try await running.value  // ends when cancelled
        let timestamp = try current()
        #expect(timestamp.signed.version >= 4)
        #expect(timestamp.signed.expires == fixture.clock.now().tufTime.adding(seconds: 600))
        // A client trusting root v1 accepts it.
        try AtomicFile.createDirectory("\(data)/client")
        try MetadataStore(directory: "\(data)/client").persist(Root.type, try #require(try AtomicFile.read("\(data)/repository/metadata/1.root.json")))
        var updater = try Updater(metadataBaseURL: "file://\(data)/repository/metadata/", metadataDirectory: "\(data)/client",
                                  fetcher: FileFetcher(), now: fixture.clock.now().tufTime)
        try await updater.refresh()
        #expect(updater.trusted.timestamp?.signed.version == timestamp.signed.version)
    }
}
