// swift-tools-version:6.0
// Benchmarks live in their own package so the main package's dependency graph stays lean.
// Build in release mode: `swift run -c release --package-path Benchmarks <name>`.
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "peerd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "peerd", path: "..")
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
    ]
)
