#if canImport(Glibc)
    import Glibc
#endif

/// A fatal setup problem: printed by main, after the children are stopped.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// CLOCK_MONOTONIC in nanoseconds (vDSO, about 20 ns a call on this VM).
@inline(__always)
func monotonicNanos() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// Fills a `sockaddr_un` for `path`; throws when the path does not fit in `sun_path`.
func withUnixAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws -> T {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { throw BenchError("socket path too long (\(bytes.count) bytes): \(path)") }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}

/// One received frame; `body` points into the socket's receive buffer and is valid until the
/// next read.
struct RawFrame {
    var length: Int
    var streamID: UInt32
    var type: UInt8
    var flags: UInt8
    var body: UnsafeRawBufferPointer

    var bytes: [UInt8] { Array(body) }
}

/// A blocking stream socket with a reusable receive buffer: plain read(2)/write(2), no
/// allocation per frame. The benchmark client and the raw echo server both use it.
final class BlockingSocket {
    let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    init(fd: Int32, bufferSize: Int = 1 << 22) {
        self.fd = fd
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    /// Connects to `path`, retrying while the server is still starting (up to `timeoutSeconds`).
    static func connect(path: String, timeoutSeconds: Double = 20) throws -> BlockingSocket {
        let deadline = monotonicNanos() + UInt64(timeoutSeconds * 1e9)
        while true {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw BenchError("socket: \(errnoText())") }
            let result = try withUnixAddress(path) { Glibc.connect(fd, $0, $1) }
            if result == 0 { return BlockingSocket(fd: fd) }
            let code = errno
            Glibc.close(fd)
            guard monotonicNanos() < deadline, code == ENOENT || code == ECONNREFUSED else {
                throw BenchError("connect \(path): \(String(cString: strerror(code)))")
            }
            usleep(10_000)
        }
    }

    deinit {
        Glibc.close(fd)
        buffer.deallocate()
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw BenchError("write: \(errnoText())") }
            offset += written
        }
    }

    func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Reads until `count` bytes are buffered; false on EOF.
    private func fill(_ count: Int) throws -> Bool {
        while end - start < count {
            if start > 0 && (end == start || buffer.count - start < count) {
                // Compact: move the unread bytes to the front.
                let unread = end - start
                if unread > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, unread) }
                start = 0
                end = unread
            }
            guard count <= buffer.count else { throw BenchError("frame of \(count) bytes exceeds the buffer") }
            let received = Glibc.read(fd, buffer.baseAddress! + end, buffer.count - end)
            if received < 0 && errno == EINTR { continue }
            if received == 0 { return false }
            guard received > 0 else { throw BenchError("read: \(errnoText())") }
            end += received
        }
        return true
    }

    /// The next frame, or nil on a clean EOF between frames.
    func readFrame() throws -> RawFrame? {
        guard try fill(10) else {
            if end > start { throw BenchError("EOF inside a frame header") }
            return nil
        }
        let header = UnsafeRawBufferPointer(rebasing: buffer[start..<start + 10])
        let length = Int(UInt32(bigEndian: header.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        let streamID = UInt32(bigEndian: header.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let type = header[8]
        let flags = header[9]
        guard try fill(10 + length) else { throw BenchError("EOF inside a frame body") }
        let body = UnsafeRawBufferPointer(rebasing: buffer[start + 10..<start + 10 + length])
        start += 10 + length
        return RawFrame(length: length, streamID: streamID, type: type, flags: flags, body: body)
    }

    /// The next frame; EOF is an error.
    func expectFrame() throws -> RawFrame {
        guard let frame = try readFrame() else { throw BenchError("the server closed the connection") }
        return frame
    }
}

/// A listening Unix socket (pathname), for the raw echo server.
func listenUnix(path: String) throws -> Int32 {
    unlink(path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError("socket: \(errnoText())") }
    let bound = try withUnixAddress(path) { bind(fd, $0, $1) }
    guard bound == 0 else { throw BenchError("bind \(path): \(errnoText())") }
    guard listen(fd, 16) == 0 else { throw BenchError("listen: \(errnoText())") }
    return fd
}

// MARK: - Child processes

/// A child process started with posix_spawn; stdout and stderr go to `logPath`.
final class ChildProcess {
    let pid: pid_t
    let logPath: String
    private(set) var exited = false

    init(arguments: [String], logPath: String) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawnp(&child, arguments[0], &actions, nil, &argv, environ)
        guard result == 0 else {
            throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// True while the child has not exited (reaps it when it has).
    var isRunning: Bool {
        if exited { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exited = true }
        return !exited
    }

    /// SIGTERM, wait up to `timeoutSeconds`, then SIGKILL.
    func stop(timeoutSeconds: Double = 10) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = monotonicNanos() + UInt64(timeoutSeconds * 1e9)
        while isRunning && monotonicNanos() < deadline { usleep(5_000) }
        if isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            exited = true
        }
    }

    /// The last `lines` lines of the child's log.
    func logTail(lines: Int = 20) -> String {
        guard let file = fopen(logPath, "r") else { return "" }
        defer { fclose(file) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            text += chunk[0..<count]
        }
        return String(decoding: text, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Context switches (voluntary + involuntary) of all the child's threads so far, from
    /// /proc/PID/task/*/status. Threads that already exited are not counted.
    func contextSwitches() -> UInt64 {
        guard let directory = opendir("/proc/\(pid)/task") else { return 0 }
        defer { closedir(directory) }
        var total: UInt64 = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let tid = Int(name), let file = fopen("/proc/\(pid)/task/\(tid)/status", "r") else { continue }
            var line = [CChar](repeating: 0, count: 512)
            while fgets(&line, Int32(line.count), file) != nil {
                let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                guard text.contains("ctxt_switches:"),
                    let value = UInt64(text.split(separator: ":").last?.trimmingCharacters() ?? "")
                else { continue }
                total += value
            }
            fclose(file)
        }
        return total
    }

    /// User plus system CPU time the child has used so far, in nanoseconds (/proc/PID/stat).
    func cpuNanos() -> UInt64 {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        guard fgets(&line, Int32(line.count), file) != nil else { return 0 }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Fields after the command name (which is in parentheses and may contain spaces).
        guard let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is state (field 3); utime is field 14, stime field 15.
        guard fields.count > 13, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
        let ticks = UInt64(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) * 1_000_000_000 / max(ticks, 1)
    }
}

/// Runs a command to completion (for `taskset -p`); returns its exit status.
@discardableResult
func runCommand(_ arguments: [String]) throws -> Int32 {
    let child = try ChildProcess(arguments: arguments, logPath: "/dev/null")
    var status: Int32 = 0
    while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xff
}

/// Pins every thread of this process to `cpus` (nil: all CPUs) with `taskset -a -p`, and checks
/// the result in /proc/self/status.
func pinSelf(to cpus: String?) throws {
    let list = cpus ?? "0-\(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)) - 1, 0))"
    let status = try runCommand(["taskset", "-a", "-p", "-c", list, "\(getpid())"])
    guard status == 0 else { throw BenchError("taskset -a -p -c \(list) \(getpid()) failed (status \(status))") }
}

/// This process's allowed CPU list as the kernel reports it.
func allowedCPUs() -> String {
    guard let file = fopen("/proc/self/status", "r") else { return "?" }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 1024)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("Cpus_allowed_list:") {
            return text.dropFirst("Cpus_allowed_list:".count).trimmingCharacters()
        }
    }
    return "?"
}

/// /proc/loadavg's first three fields.
func loadAverage() -> String {
    guard let file = fopen("/proc/loadavg", "r") else { return "?" }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, Int32(line.count), file) != nil else { return "?" }
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// Jiffies spent by all CPUs in steal and in non-idle states (/proc/stat), to report how busy
/// the machine was during a run.
func cpuJiffies() -> (busy: UInt64, total: UInt64, steal: UInt64) {
    guard let file = fopen("/proc/stat", "r") else { return (0, 0, 0) }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 512)
    guard fgets(&line, Int32(line.count), file) != nil else { return (0, 0, 0) }
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let values = text.split(separator: " ").dropFirst().compactMap { UInt64($0.trimmingCharacters()) }
    guard values.count >= 8 else { return (0, 0, 0) }
    let total = values.reduce(0, +)
    let idle = values[3] + values[4]
    return (total - idle, total, values[7])
}

/// This process's user + system CPU time (all threads), in nanoseconds.
func selfCPUNanos() -> UInt64 {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func nanos(_ time: timeval) -> UInt64 { UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000 }
    return nanos(usage.ru_utime) + nanos(usage.ru_stime)
}

/// How much of the machine other processes used while a cell ran: all CPUs' busy time
/// (/proc/stat) less this process's and the server's CPU time, as a percentage of all CPUs over
/// the wall time. Coarse (10 ms ticks) but enough to flag a cell that ran beside a build.
struct ForeignLoad {
    private let jiffies = cpuJiffies()
    private let selfCPU = selfCPUNanos()
    private let serverCPU: UInt64
    private let wall = monotonicNanos()
    private let server: ChildProcess

    init(server: ChildProcess) {
        self.server = server
        serverCPU = server.cpuNanos()
    }

    /// Percent of all CPUs used by other processes since init.
    func percent() -> Double {
        let now = cpuJiffies()
        let tick = 1_000_000_000 / max(UInt64(sysconf(Int32(_SC_CLK_TCK))), 1)
        let busy = Double((now.busy - jiffies.busy) * tick)
        let ours = Double(selfCPUNanos() - selfCPU) + Double(server.cpuNanos() - serverCPU)
        let capacity = Double(monotonicNanos() - wall) * Double(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1))
        return max(0, busy - ours) / max(capacity, 1) * 100
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" }.reversed())
    }
}
