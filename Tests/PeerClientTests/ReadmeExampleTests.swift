import Foundation
import PeerTestSupport
import Testing

@Suite("PeerClient: the README's example", .timeLimit(.minutes(1)))
struct ReadmeExampleTests {
    static let marker = "<!-- example: Tests/PeerClientTests/ReadmeExample.swift -->"

    /// The code block after `marker` in the README, with its last newline.
    static func example(inReadme text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let marker = lines.firstIndex(where: { $0 == Self.marker }), marker + 1 < lines.count,
            lines[marker + 1] == "```swift",
            let end = lines[(marker + 2)...].firstIndex(where: { $0 == "```" })
        else { return nil }
        return lines[(marker + 2)..<end].joined(separator: "\n") + "\n"
    }

    @Test("The README shows exactly ReadmeExample.swift")
    func readmeMatches() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let readme = directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "README.md")
        let shown = try #require(Self.example(inReadme: String(contentsOf: readme, encoding: .utf8)))
        let tested = try String(
            contentsOf: directory.appendingPathComponent("ReadmeExample.swift"), encoding: .utf8)
        #expect(shown == tested)
    }

    @Test("The example runs against peerd")
    func exampleRuns() async throws {
        let selected = try await InProcessSidecar.run { sidecar in try await storePeer(socket: sidecar.socketPath) }
        #expect(selected == "12D3KooWEG15QpUHB5wcNYSjCuKorxGvZyLWdPoKVqidbrdaU3Mi")
    }
}
