import Foundation
import Testing

/// The tests' file reader (``fileText(_:)``), which replaces `String(contentsOfFile:)` for a
/// child's output: it leaks nothing on an empty file under AddressSanitizer (checked by the ASan
/// run of peerdTests) and reads what it is given whole.
@Suite("Reading a child's output file")
struct FileTextTests {
    @Test("an empty file, a file larger than one read, procfs (size 0 with contents), a missing file")
    func readsWhole() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: "\(directory)/empty", contents: nil))
        #expect(fileText("\(directory)/empty") == "")
        let large = String(repeating: "peerd é\n", count: 20_000)
        try Data(large.utf8).write(to: URL(fileURLWithPath: "\(directory)/large"))
        #expect(fileText("\(directory)/large") == large)
        #expect(fileText("/proc/self/status")?.contains("Pid:\t\(getpid())") == true)
        #expect(fileText("\(directory)/missing") == nil)
    }
}
