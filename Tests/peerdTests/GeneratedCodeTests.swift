import Foundation
import Testing

@Suite("Generated code")
struct GeneratedCodeTests {
    /// Fails when proto/ changed but `scripts/gen-proto` was not run (or its output was edited).
    @Test(
        "The committed protoc-c and Swift output matches scripts/gen-proto",
        arguments: [
            ("PeerdProtoC", "Sources/PeerdProtoC"),
            // Messages, codecs and the method descriptors of the service blocks.
            ("Generated", "Sources/PeerWire/Generated"),
            // The typed client stubs.
            ("PeerClient", "clients/swift/PeerClient/Generated"),
        ])
    func generatedCodeIsFresh(generated: String, committed: String) throws {
        let root = PeerdProcess.repositoryRoot
        let output = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: output) }

        let generate = try ChildProcess.run(
            root.appendingPathComponent("scripts/gen-proto").path, ["--out", output], timeout: .seconds(120))
        try #require(generate.status == 0, "scripts/gen-proto failed:\n\(generate.stderr)")

        let diff = try ChildProcess.run(
            "/usr/bin/diff", ["-r", "\(output)/\(generated)", root.appendingPathComponent(committed).path])
        #expect(diff.status == 0, "stale generated code; run scripts/gen-proto:\n\(diff.stdout)")
    }
}
