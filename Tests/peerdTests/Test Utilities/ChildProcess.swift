import Foundation

/// A real child process (peerd, peerctl, a script), started with `posix_spawn` and reaped with
/// `waitpid`, whose output goes to files.
///
/// Why not Foundation's `Process`: its `waitUntilExit` polls a run loop and, called from the
/// test runner's worker threads under load, can wait forever for a child that already exited
/// (swift-corelibs-foundation); and a pipe that nobody drains until the end blocks a child that
/// logs more than 64 KiB. Either one hangs CI instead of failing a test. Here every wait has a
/// deadline, output never blocks, and the child inherits no descriptor but its three standard
/// ones, so a child can neither keep another test's socket open nor hold the test runner's stdout.
final class ChildProcess {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private var status: Int32?

    /// Starts `executable`; its stdin is /dev/null, its stdout and stderr go to the given files
    /// (created or truncated).
    init(executable: String, arguments: [String], stdoutPath: String = "/dev/null", stderrPath: String = "/dev/null")
        throws
    {
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = Self.addCloseFrom(&actions, 3)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw ChildProcessError.spawn(executable, errno: result) }
        self.pid = pid
    }

    /// Runs `executable` to its end and returns its exit status and output; a child still
    /// running after `timeout` is killed and reported as an error.
    static func run(
        _ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let child = try ChildProcess(
            executable: executable, arguments: arguments, stdoutPath: "\(directory)/stdout",
            stderrPath: "\(directory)/stderr")
        guard let status = child.wait(timeout: timeout) else {
            child.kill(SIGKILL)
            throw ChildProcessError.timedOut(executable, arguments, stderr: child.stderr())
        }
        return (status, child.stdout(), child.stderr())
    }

    /// The exit status (128 + signal for a killed child), or nil while it runs.
    var exitStatus: Int32? {
        if status == nil { reap(options: WNOHANG) }
        return status
    }

    var isRunning: Bool { exitStatus == nil }

    /// Waits for the child to exit; nil when it still runs after `timeout`.
    @discardableResult
    func wait(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            usleep(5_000)
        }
        return status
    }

    func kill(_ signal: Int32) {
        if isRunning { Glibc.kill(pid, signal) }
    }

    /// Everything the child wrote to stdout so far.
    func stdout() -> String { Self.contents(of: stdoutPath) }

    /// Everything the child wrote to stderr so far.
    func stderr() -> String { Self.contents(of: stderrPath) }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module
    /// does not import (the header guards it behind _GNU_SOURCE): closes every descriptor from
    /// `lowest` up in the child, whether or not its opener set FD_CLOEXEC.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom = {
        let name = "posix_spawn_file_actions_addclosefrom_np"
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("glibc 2.34 or newer is needed (\(name))")
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private static func contents(of path: String) -> String {
        fileText(path) ?? ""
    }

    private func reap(options: Int32) {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, options)
        guard result == pid else {
            // ECHILD: reaped already elsewhere; report it as gone rather than running forever.
            if result < 0 && errno == ECHILD { status = -1 }
            return
        }
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    deinit {
        if isRunning {
            Glibc.kill(pid, SIGKILL)
            reap(options: 0)
        }
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case spawn(String, errno: Int32)
    case timedOut(String, [String], stderr: String)

    var description: String {
        switch self {
        case .spawn(let executable, let code): "cannot start \(executable): \(String(cString: strerror(code)))"
        case .timedOut(let executable, let arguments, let stderr):
            "\(executable) \(arguments.joined(separator: " ")) still ran after its timeout; stderr:\n\(stderr)"
        }
    }
}
