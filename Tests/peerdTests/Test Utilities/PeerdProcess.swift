import Foundation
import PeerTestSupport
import Testing

/// A real `peerd` process on a throwaway socket path, stopped when the test ends.
final class PeerdProcess {
    let socketPath: String
    let directory: String
    let process: ChildProcess

    /// The built `peerd` binary: beside the test bundle (same build directory), or $PEERD_BINARY.
    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["PEERD_BINARY"] { return URL(fileURLWithPath: override) }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("peerd")
    }

    /// The built `peerctl` binary, beside peerd.
    static var peerctlBinary: URL { binary.deletingLastPathComponent().appendingPathComponent("peerctl") }

    /// The repository root, found from this file's path.
    static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }

    /// A TCP port that was free a moment ago (bound to port 0, then closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `GET path` over a plain TCP connection; returns the status line and the body.
    static func httpGet(port: Int, path: String) throws -> (status: String, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw POSIXError(.ECONNREFUSED) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = String(text.prefix { $0 != "\r" })
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    static func makeTemporaryDirectory() throws -> String {
        // Short paths: sun_path holds 107 bytes.
        var template = Array("/tmp/peerd-test-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: path)
    }

    /// Starts peerd and waits until its socket accepts connections.
    init(arguments: [String] = [], socketName: String = "peerd.sock", waitUntilServing: Bool = true) throws {
        directory = try Self.makeTemporaryDirectory()
        socketPath = "\(directory)/\(socketName)"
        // Tests run in parallel: metrics only where a test asks for them (on a port of its own).
        let metrics = arguments.contains("--metrics-address") ? [] : ["--no-metrics"]
        // Each peerd its own peer store, in its directory, unless the test chooses.
        let store =
            arguments.contains("--no-persistence") || arguments.contains("--peer-store-path")
            ? [] : ["--peer-store-path", "\(directory)/peers.db"]
        // Debug logs go to a file: a pipe read only at the end would block peerd once full.
        process = try ChildProcess(
            executable: Self.binary.path,
            arguments: ["--socket", socketPath, "--log-level", "debug"] + metrics + store + arguments,
            stderrPath: "\(directory)/peerd.log")
        if waitUntilServing { try waitForSocket() }
    }

    func waitForSocket(timeout: Duration = .seconds(20)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let client = try? SocketClient(path: socketPath) {
                client.close()
                return
            }
            if let status = process.exitStatus { throw PeerdProcessError.exited(status: status, log: log()) }
            usleep(20_000)
        }
        throw PeerdProcessError.notListening(socketPath)
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) -> Int32 {
        stoppedByTest = true
        process.kill(signal)
        if let status = process.wait(timeout: timeout) { return status }
        process.kill(SIGKILL)
        return process.wait(timeout: .seconds(10)) ?? -1
    }

    /// Everything peerd wrote to stderr so far.
    func log() -> String { process.stderr() }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(lines: Int = 60) -> String {
        log().split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Sends `signal` to peerd without waiting.
    func signal(_ signal: Int32) {
        stoppedByTest = true
        process.kill(signal)
    }

    /// Set once the test signals peerd: an exit after that is the test's doing, not a crash.
    private var stoppedByTest = false

    deinit {
        // peerd ended on its own, which no test asks for: show why, whatever the test checked.
        if !stoppedByTest, let status = process.exitStatus {
            FileHandle.standardError.write(
                Data("peerd \(process.pid) exited with \(status) during a test:\n\(log())\n".utf8))
        }
        process.kill(SIGKILL)
        process.wait(timeout: .seconds(10))
        // PEERD_TEST_LOGS=<dir> keeps every peerd's log there, to read after a failed run.
        if let keep = ProcessInfo.processInfo.environment["PEERD_TEST_LOGS"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? FileManager.default.copyItem(
                atPath: "\(directory)/peerd.log", toPath: "\(keep)/peerd-\(process.pid).log")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Polls `condition` for up to 20 seconds (state changes from host events land asynchronously);
/// when it never holds, the issue carries the end of peerd's log.
func waitFor(
    _ peerd: PeerdProcess, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool
) throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
        if try condition() { return }
        usleep(20_000)
    }
    Issue.record("condition not met within 20 s; peerd's log ends:\n\(peerd.logTail())", sourceLocation: sourceLocation)
}

enum PeerdProcessError: Error, CustomStringConvertible {
    case exited(status: Int32, log: String)
    case notListening(String)

    var description: String {
        switch self {
        case .exited(let status, let log): "peerd exited with \(status):\n\(log)"
        case .notListening(let path): "peerd did not listen on \(path)"
        }
    }
}
