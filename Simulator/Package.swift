// swift-tools-version:6.0
import PackageDescription

// The simulator: peerd's engine and a faithful model of nwaku's 2024 peer manager, driven side
// by side in virtual time against the same virtual network (issue 14). Its own package, like
// Fuzz/ and Benchmarks/, so the main build never compiles it; it depends on the root package's
// pure modules through the `peerd` symlink (`peerd -> ..`). Run it with scripts/simulate.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "peerd-simulator",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "peerd")  // a symlink to the repository root: its name is the package identity
    ],
    targets: [
        // The virtual network, the virtual host, both policies, the metrics: no I/O but the CSV.
        .target(
            name: "SimulatorCore",
            dependencies: [
                .product(name: "PeerCore", package: "peerd"),
                .product(name: "PeerIdentity", package: "peerd"),
                // Host traces recorded by peerd (--record-host-trace), replayed by `peerd-sim replay`.
                .product(name: "PeerTrace", package: "peerd"),
            ],
            swiftSettings: swiftSettings),
        // The command line: runs scenario files, writes CSV and the summary table.
        .executableTarget(name: "peerd-sim", dependencies: ["SimulatorCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SimulatorCoreTests",
            dependencies: [
                "SimulatorCore",
                .product(name: "PeerCore", package: "peerd"),
                .product(name: "PeerIdentity", package: "peerd"),
                .product(name: "PeerTrace", package: "peerd"),
            ],
            // A small host trace for `peerd-sim replay` by hand, read through #filePath.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
    ]
)
