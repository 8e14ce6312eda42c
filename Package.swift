// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "signet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "signet", targets: ["signet"]),
        .executable(name: "signet-tuf-client", targets: ["signet-tuf-client"]),
        .library(name: "SignetCore", targets: ["SignetCore"]),
        .library(name: "SignetRender", targets: ["SignetRender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", exact: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // Pure core: no I/O, no clock. Canonical JSON, TUF metadata, keys, verification.
        .target(
            name: "SignetCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // C libraries of the renderer: FreeType (through pkg-config), and bounded wrappers around
        // libpng's simplified API and libjpeg-turbo that report errors instead of exiting.
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2",
                       providers: [.apt(["libfreetype-dev"])]),
        .target(
            name: "CSignetCodecs",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),
        // The renderer: slides to RGBA8 frames at a screen's resolution, fingerprints, brightness.
        .target(
            name: "SignetRender",
            dependencies: ["SignetCore", "CSignetCodecs", "CFreeType"],
            swiftSettings: swiftSettings
        ),
        // Forensics: what a screen showed and why, examined from signed evidence with a trusted root.
        .target(name: "SignetForensics", dependencies: ["SignetCore", "SignetRender"], swiftSettings: swiftSettings),
        // Processes: spawning programs with pipes, for the CLI and for command outputs.
        .target(name: "CSignetSpawn"),
        .target(name: "SignetSystem", dependencies: ["CSignetSpawn", "SignetCore"], swiftSettings: swiftSettings),
        // Outputs: PNG files, raw frames to a command, framebuffers, DDP, sACN and Art-Net.
        .target(
            name: "SignetOutput",
            dependencies: ["SignetCore", "SignetRender", "SignetSystem"],
            swiftSettings: swiftSettings
        ),
        // The server: accounts and sessions, the access table, the JSON API; SQLite through GRDB or PostgreSQL through postgres-nio.
        .target(
            name: "SignetServer",
            dependencies: [
                "SignetCore", "SignetForensics", "SignetRender", "SignetSystem", "SignetTUFClient", "SignetTUFRepository",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            // Processed file by file (copied flat into the bundle), so that an edit to any one is picked up by an incremental build.
            resources: [.process("Console/Public")],
            swiftSettings: swiftSettings
        ),
        // The player: enrollment, its channel to the server, the verified cache, playout, commands.
        .target(
            name: "SignetPlayer",
            dependencies: [
                "SignetCore", "SignetRender", "SignetOutput", "SignetSystem", "SignetTUFClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // TUF client: the specification's section 5 workflow over HTTP and a local metadata store.
        .target(
            name: "SignetTUFClient",
            dependencies: [
                "SignetCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // TUF repository on disk: build, sign and publish metadata from a folder of files.
        .target(
            name: "SignetTUFRepository",
            dependencies: [
                "SignetCore", "SignetTUFClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `signet` command line: keys, repo and bench subcommands.
        .target(
            name: "SignetCLI",
            dependencies: [
                "SignetCore", "SignetForensics", "SignetRender", "SignetOutput", "SignetPlayer", "SignetServer", "SignetSystem", "SignetTUFClient", "SignetTUFRepository",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "signet",
            dependencies: ["SignetCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "signet-tuf-client",
            dependencies: [
                "SignetCore", "SignetTUFClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures shared by the test targets: an in-memory repository with fixed keys.
        .target(name: "SignetTestSupport", dependencies: ["SignetCore", "SignetTUFClient"], path: "Tests/SignetTestSupport",
                swiftSettings: swiftSettings),
        .testTarget(name: "SignetCoreTests", dependencies: ["SignetCore", "SignetTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SignetForensicsTests", dependencies: ["SignetCore", "SignetForensics"], swiftSettings: swiftSettings),
        .testTarget(name: "SignetRenderTests", dependencies: ["SignetCore", "SignetRender", "SignetTestSupport"], exclude: ["Golden"],
                    swiftSettings: swiftSettings),
        .testTarget(
            name: "SignetServerTests",
            dependencies: [
                "SignetServer", "SignetCore", "SignetForensics", "SignetOutput", "SignetPlayer", "SignetRender", "SignetSystem", "SignetTUFClient", "SignetTestSupport",
                "signet",  // the fault tests run the real player process
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SignetPlayerTests", dependencies: ["SignetPlayer", "SignetCore", "SignetRender", "SignetTUFClient", "SignetTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SignetOutputTests", dependencies: ["SignetOutput", "SignetRender", "SignetSystem"],
                    swiftSettings: swiftSettings),
        .testTarget(
            name: "SignetTUFClientTests",
            dependencies: ["SignetCore", "SignetTUFClient", "SignetTUFRepository", "SignetTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
