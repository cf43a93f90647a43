import Foundation
import Testing

@Suite("Generated code")
struct GeneratedCodeTests {
    /// What scripts/gen-proto --out writes, and where the committed copy lives.
    static let outputs = [
        ("PeerdProtoC", "Sources/PeerdProtoC"),
        // Messages, codecs and the method descriptors of the service blocks.
        ("Generated", "Sources/PeerWire/Generated"),
        // The typed client stubs.
        ("PeerClient", "clients/swift/PeerClient/Generated"),
    ]

    /// Fails when proto/ changed but `scripts/gen-proto` was not run (or its output was edited).
    /// One run of the generator for every output: each run is protoc-c, protoc twice and
    /// swift-format, seconds on a busy machine.
    @Test("The committed protoc-c and Swift output matches scripts/gen-proto")
    func generatedCodeIsFresh() throws {
        let root = PeerdProcess.repositoryRoot
        let output = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: output) }

        let generate = try ChildProcess.run(
            root.appendingPathComponent("scripts/gen-proto").path, ["--out", output], timeout: .seconds(120))
        try #require(generate.status == 0, "scripts/gen-proto failed:\n\(generate.stderr)")

        for (generated, committed) in Self.outputs {
            let diff = try ChildProcess.run(
                "/usr/bin/diff", ["-r", "\(output)/\(generated)", root.appendingPathComponent(committed).path])
            #expect(diff.status == 0, "stale generated code in \(committed); run scripts/gen-proto:\n\(diff.stdout)")
        }
    }
}
