#if canImport(Glibc)
    import Glibc
#endif

/// Where a process runs: a CPU list for taskset, or nil for anywhere.
struct Layout: Hashable {
    var name: String
    var client: String?
    var server: String?

    static let sameCPU = Layout(name: "both on CPU 0", client: "0", server: "0")
    static let split = Layout(name: "client CPU 0 / server CPU 1", client: "0", server: "1")
    static let unpinned = Layout(name: "unpinned", client: nil, server: nil)
    static let all = [sameCPU, split, unpinned]

    /// `taskset -c CPU` in front of a server's command line, when pinned.
    func serverCommand(_ command: [String]) -> [String] {
        guard let server else { return command }
        return ["taskset", "-c", server] + command
    }
}

/// Every child the benchmark started, so that main can stop them on any exit path.
nonisolated(unsafe) var liveChildren: [ChildProcess] = []

func stopAllChildren() {
    for child in liveChildren { child.stop() }
    liveChildren.removeAll()
}

/// A server child on a throwaway socket in the work directory.
final class ServerChild {
    let process: ChildProcess
    let socketPath: String

    init(command: [String], socketPath: String, logPath: String) throws {
        unlink(socketPath)
        process = try ChildProcess(arguments: command, logPath: logPath)
        self.socketPath = socketPath
        liveChildren.append(process)
        registerForSignals(process.pid)
    }

    /// Connects, waiting for the server to listen; reports a child that died meanwhile.
    func connect() throws -> BlockingSocket {
        let deadline = monotonicNanos() + 30_000_000_000
        while true {
            if let socket = try? BlockingSocket.connect(path: socketPath, timeoutSeconds: 0.2) { return socket }
            guard process.isRunning else {
                throw BenchError("\(socketPath): the server exited:\n\(process.logTail())")
            }
            guard monotonicNanos() < deadline else { throw BenchError("\(socketPath): the server did not listen") }
        }
    }

    func stop() {
        process.stop()
        unregisterForSignals(process.pid)
        liveChildren.removeAll { $0 === process }
        unlink(socketPath)
    }
}

/// The benchmark's view of where things are.
struct Environment {
    var peerdBinary: String
    var selfBinary: String
    var workDirectory: String
    nonisolated(unsafe) private static var counter = 0

    func peerd(layout: Layout, arguments: [String]) throws -> ServerChild {
        Self.counter += 1
        let socket = "\(workDirectory)/peerd-\(Self.counter).sock"
        // No metrics endpoint: its fixed port would collide with any other peerd on the machine.
        let command =
            layout.serverCommand([peerdBinary, "--socket", socket, "--log-level", "warning", "--no-metrics"])
            + arguments
        return try ServerChild(
            command: command, socketPath: socket, logPath: "\(workDirectory)/peerd-\(Self.counter).log")
    }

    func echoServer(layout: Layout, replyFile: String, nio: Bool) throws -> ServerChild {
        Self.counter += 1
        let socket = "\(workDirectory)/echo-\(Self.counter).sock"
        let mode = nio ? "--nio-echo-server" : "--echo-server"
        let command = layout.serverCommand([selfBinary, mode, socket, "--reply", replyFile])
        return try ServerChild(
            command: command, socketPath: socket, logPath: "\(workDirectory)/echo-\(Self.counter).log")
    }
}

// MARK: - The raw floor

/// The recorded answer (a whole frame) the echo servers send.
func readReply(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "r") else { throw BenchError("cannot open \(path)") }
    var reply = [UInt8](repeating: 0, count: 1 << 20)
    let count = fread(&reply, 1, reply.count, file)
    fclose(file)
    guard count >= 10 else { throw BenchError("\(path): not a frame (\(count) bytes)") }
    reply.removeSubrange(count...)
    return reply
}

/// `sidecar-bench --echo-server PATH --reply FILE`: a blocking single-threaded Unix-socket server
/// that reads one ttrpc frame (header + body) and answers with the bytes in FILE (peerd's real
/// answer to the same call), its stream id set to the request's. No protocol work: the physical
/// floor for the same bytes in both directions.
func runEchoServer(path: String, reply: [UInt8]) throws -> Never {
    var reply = reply
    let listener = try listenUnix(path: path)
    while true {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else {
            if errno == EINTR { continue }
            throw BenchError("accept: \(errnoText())")
        }
        let connection = BlockingSocket(fd: fd, bufferSize: 1 << 20)
        do {
            try reply.withUnsafeMutableBytes { reply in
                while let request = try connection.readFrame() {
                    Wire.setStreamID(request.streamID, in: reply)
                    try connection.writeAll(UnsafeRawBufferPointer(reply))
                }
            }
        } catch {
            // The client went away mid-frame: serve the next one.
        }
    }
}
