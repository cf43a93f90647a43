// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for peerd, in their own package so that the main build never sees them
// (libFuzzer provides `main`). One executable holds every target; PEERD_FUZZ_TARGET picks one.
// Build and run them with scripts/fuzz.
let package = Package(
    name: "peerd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "peerd"),  // a symlink to the repository root: its name is the package identity
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "PeerdFuzz",
            dependencies: [
                .product(name: "PeerWire", package: "peerd"),
                .product(name: "PeerIdentity", package: "peerd"),
                .product(name: "PeerCore", package: "peerd"),
                .product(name: "PeerServer", package: "peerd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])])
    ]
)
