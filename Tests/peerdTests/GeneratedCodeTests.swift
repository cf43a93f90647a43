import Foundation
import Testing

@Suite("Generated code")
struct GeneratedCodeTests {
    /// Fails when proto/ changed but `scripts/gen-proto` was not run (or its output was edited).
    @Test(
        "The committed protoc-c and Swift output matches scripts/gen-proto",
        arguments: [
            ("PeerdProtoC", "Sources/PeerdProtoC"),
            ("Generated", "Sources/PeerWire/Generated"),
        ])
    func generatedCodeIsFresh(generated: String, committed: String) throws {
        let root = PeerdProcess.repositoryRoot
        let output = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: output) }

        let generate = Process()
        generate.executableURL = root.appendingPathComponent("scripts/gen-proto")
        generate.arguments = ["--out", output]
        try generate.run()
        generate.waitUntilExit()
        try #require(generate.terminationStatus == 0)

        let diff = Process()
        diff.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
        diff.arguments = ["-r", "\(output)/\(generated)", root.appendingPathComponent(committed).path]
        let pipe = Pipe()
        diff.standardOutput = pipe
        try diff.run()
        let differences = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        diff.waitUntilExit()
        #expect(diff.terminationStatus == 0, "stale generated code; run scripts/gen-proto:\n\(differences)")
    }
}
