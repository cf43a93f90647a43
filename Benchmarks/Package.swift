// swift-tools-version:6.0
// Benchmarks live in their own package so the main package's dependency graph stays lean.
// Build in release mode: `swift run -c release --package-path Benchmarks <name>`.
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "peerd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "peerd", path: ".."),
        // ByteBuffer (PeerWire's currency) and the NIO echo floor; already in the main package's graph.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "identity-bench",
            dependencies: [.product(name: "PeerIdentity", package: "peerd")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "engine-bench",
            dependencies: [
                .product(name: "PeerCore", package: "peerd"),
                .product(name: "PeerIdentity", package: "peerd"),
            ],
            swiftSettings: swiftSettings),
        // store-bench: the peer store file (issue 12): 100k peers written, loaded into an engine,
        // file size and RSS.
        .executableTarget(
            name: "store-bench",
            dependencies: [
                .product(name: "PeerStorage", package: "peerd"),
                .product(name: "PeerCore", package: "peerd"),
                .product(name: "PeerIdentity", package: "peerd"),
            ],
            swiftSettings: swiftSettings),
        // sidecar-bench: the real peerd binary over its socket (Attach ingest rate, SelectPeer
        // latency, the PeerClient library) beside raw-socket floors, run in the same command.
        .executableTarget(
            name: "sidecar-bench",
            dependencies: [
                .product(name: "PeerWire", package: "peerd"),
                .product(name: "PeerIdentity", package: "peerd"),
                .product(name: "PeerClient", package: "peerd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
    ]
)
