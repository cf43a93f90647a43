// swift-tools-version:6.0
import PackageDescription

// One settings array for every Swift target (as grpc-swift-2 and hummingbird do).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "peerd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "peerd", targets: ["peerd"]),
        .executable(name: "peerctl", targets: ["peerctl"]),
        .library(name: "PeerCore", targets: ["PeerCore"]),
        .library(name: "PeerIdentity", targets: ["PeerIdentity"]),
        .library(name: "PeerWire", targets: ["PeerWire"]),
        // For the simulator package (Simulator/), which replays host traces.
        .library(name: "PeerTrace", targets: ["PeerTrace"]),
        // For the benchmark package (Benchmarks/, store-bench).
        .library(name: "PeerStorage", targets: ["PeerStorage"]),
        // For the fuzz package (Fuzz/), which drives the connection handler.
        .library(name: "PeerServer", targets: ["PeerServer"]),
        .library(name: "TTRPCServer", targets: ["TTRPCServer"]),
        // The Swift client library (clients/swift/PeerClient): typed async calls over one connection.
        .library(name: "PeerClient", targets: ["PeerClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The peer store's SQLite (PeerStorage), on the system library (libsqlite3-dev).
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    ],
    targets: [
        // System libraries (Debian packages; scripts/bootstrap installs them).
        .systemLibrary(
            name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(
            name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),

        // protoc-c output for proto/, committed; scripts/gen-proto regenerates it.
        .target(name: "PeerdProtoC", dependencies: ["CProtobufC"]),

        // Where peerd's files live by default (socket, peer store): shared by peerd and its clients.
        .target(name: "PeerdPaths", swiftSettings: swiftSettings),
        // Pure Swift, no I/O: multiaddr, peer id, ENR.
        .target(name: "PeerIdentity", dependencies: ["CSecp256k1"], swiftSettings: swiftSettings),
        // Pure Swift, no I/O: the peer store and every policy.
        .target(name: "PeerCore", dependencies: ["PeerIdentity"], swiftSettings: swiftSettings),
        // Pure, no I/O: the host trace format (JSON Lines) that peerd records and the simulator replays.
        .target(
            name: "PeerTrace", dependencies: ["PeerCore", "PeerIdentity", "UTCTime"], swiftSettings: swiftSettings),
        // ISO 8601 UTC timestamps (the JSON log line, the host trace's header): no dependency.
        .target(name: "UTCTime", swiftSettings: swiftSettings),
        // Frames, envelopes, Swift <-> protobuf-c: the only unsafe-pointer code.
        .target(
            name: "PeerWire",
            dependencies: [
                "CProtobufC", "PeerdProtoC",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // The ttrpc transport, knowing no Waku name: the SwiftNIO Unix-socket server, stream
        // state, router, deadlines, credentials, the socket file, health.
        .target(
            name: "TTRPCServer",
            dependencies: [
                "PeerWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // The peer-manager application on the transport: engine runtime, loops, services.
        .target(
            name: "PeerServer",
            dependencies: [
                "TTRPCServer", "PeerWire", "PeerCore", "PeerIdentity", "PeerStorage", "PeerTrace",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // The peer store on disk: an SQLite file (GRDB, WAL), the record codec, the nwaku import.
        .target(
            name: "PeerStorage",
            dependencies: ["PeerCore", "PeerIdentity", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        // Prometheus metrics (one registry, written from decision records and engine snapshots), the /metrics endpoint.
        .target(
            name: "PeerMetrics",
            dependencies: [
                "PeerCore", "PeerIdentity",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // The JSON log line (`--log-format json`): a pure format, tested apart from the binary.
        .target(
            name: "PeerLogging", dependencies: ["UTCTime", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "peerd",
            dependencies: [
                "PeerServer", "TTRPCServer", "PeerMetrics", "PeerWire", "PeerCore", "PeerIdentity", "PeerLogging",
                "PeerdPaths", "PeerStorage", "PeerTrace",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The host trace's drop counter on PeerMetrics' registry.
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "peerctl",
            dependencies: [
                "PeerClient", "PeerIdentity", "PeerWire", "PeerdPaths",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        // The Swift client: async/await calls multiplexed on one ttrpc connection, typed stubs
        // (Generated/), HostSession for Swift hosts. A client of the wire only: no server code.
        .target(
            name: "PeerClient",
            dependencies: [
                "PeerWire", "PeerdPaths",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "clients/swift/PeerClient", swiftSettings: swiftSettings),

        // Test support shared by the socket-level test targets: a raw ttrpc client, built on
        // PeerWire only, so it stays independent of the server code it tests; and the real
        // sidecar run in-process (InProcessSidecar) for the service and client tests.
        .target(
            name: "PeerTestSupport",
            dependencies: [
                "PeerWire", "PeerServer", "PeerCore", "TTRPCServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/PeerTestSupport", swiftSettings: swiftSettings),

        .testTarget(name: "PeerdPathsTests", dependencies: ["PeerdPaths"], swiftSettings: swiftSettings),
        .testTarget(name: "PeerIdentityTests", dependencies: ["PeerIdentity"], swiftSettings: swiftSettings),
        .testTarget(name: "PeerCoreTests", dependencies: ["PeerCore", "PeerIdentity"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerTraceTests", dependencies: ["PeerTrace", "PeerCore", "PeerIdentity"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerWireTests",
            dependencies: [
                "PeerWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TTRPCServerTests",
            dependencies: [
                "TTRPCServer", "PeerWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerServerTests",
            dependencies: [
                "PeerServer", "TTRPCServer", "PeerWire", "PeerCore", "PeerIdentity", "PeerTestSupport", "PeerStorage",
                "PeerTrace",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // The in-process sidecar runs its services in a ServiceGroup.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerClientTests",
            dependencies: [
                "PeerClient", "PeerWire", "PeerServer", "PeerCore", "PeerIdentity", "PeerTestSupport", "TTRPCServer",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerStorageTests",
            dependencies: ["PeerStorage", "PeerCore", "PeerIdentity", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerMetricsTests",
            dependencies: [
                "PeerMetrics", "PeerCore", "PeerIdentity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerLoggingTests", dependencies: ["PeerLogging", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // peerctl's pure parts (formatting, tables, socket resolution) as table tests; its
        // commands are tested as a process in peerdTests.
        .testTarget(name: "PeerctlTests", dependencies: ["peerctl", "PeerWire"], swiftSettings: swiftSettings),
        .testTarget(
            name: "peerdTests",
            dependencies: [
                "PeerWire", "PeerIdentity", "PeerTestSupport", "PeerStorage", "PeerCore", "PeerTrace",
                .product(name: "NIOCore", package: "swift-nio"),
                // Writes an nwaku-schema peers.db for the import test.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
    ]
)
