import Foundation

/// A real `peerd` process on a throwaway socket path, stopped when the test ends.
final class PeerdProcess {
    let socketPath: String
    let directory: String
    let process = Process()
    private let stderrPipe = Pipe()

    /// The built `peerd` binary: beside the test bundle (same build directory), or $PEERD_BINARY.
    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["PEERD_BINARY"] { return URL(fileURLWithPath: override) }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("peerd")
    }

    /// The repository root, found from this file's path.
    static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
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
        process.executableURL = Self.binary
        process.arguments = ["--socket", socketPath, "--log-level", "debug"] + arguments
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        if waitUntilServing { try waitForSocket() }
    }

    func waitForSocket(timeout: Duration = .seconds(20)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let client = try? SocketClient(path: socketPath) {
                client.close()
                return
            }
            guard process.isRunning else {
                throw PeerdProcessError.exited(status: process.terminationStatus, log: log())
            }
            usleep(20_000)
        }
        throw PeerdProcessError.notListening(socketPath)
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// Everything peerd wrote to stderr so far (call after it exited).
    func log() -> String {
        String(decoding: stderrPipe.fileHandleForReading.availableData, as: UTF8.self)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
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
