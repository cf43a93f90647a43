import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

@Suite("peerd process lifecycle")
struct PeerdLifecycleTests {
    @Test("The socket file is created with mode 0600")
    func socketMode() throws {
        let peerd = try PeerdProcess()
        let attributes = try FileManager.default.attributesOfItem(atPath: peerd.socketPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(attributes[.type] as? FileAttributeType == .typeSocket)
    }

    @Test("A second peerd on the same path is refused with a clear message")
    func secondPeerdRefused() throws {
        let first = try PeerdProcess()
        let second = try ChildProcess.run(
            PeerdProcess.binary.path, ["--socket", first.socketPath, "--no-metrics", "--no-persistence"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another peerd is serving \(first.socketPath)"))
        // The first one is untouched.
        #expect(try SocketClient(path: first.socketPath).healthCheck(1) == .serving)
    }

    @Test("A stale socket file left by a dead peerd is replaced")
    func staleSocketReplaced() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/stale.sock"
        // Leave a bound-but-dead socket file behind, as a crashed process would.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))

        let peerd = try ChildProcess(
            executable: PeerdProcess.binary.path, arguments: ["--socket", path, "--no-metrics", "--no-persistence"])
        defer { peerd.kill(SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(20)
        var status: Health.ServingStatus?
        while status != .serving && ContinuousClock.now < deadline {
            status = try? SocketClient(path: path).healthCheck(1)
            if status != .serving { usleep(20_000) }
        }
        #expect(status == .serving)
    }

    @Test("A path that is not a socket is never replaced")
    func regularFileKept() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/file.sock"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        let peerd = try ChildProcess.run(
            PeerdProcess.binary.path, ["--socket", path, "--no-metrics", "--no-persistence"])
        #expect(peerd.status == 1)
        #expect(peerd.stderr.contains("is not a socket"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test("SIGTERM: watchers see NOT_SERVING, calls in flight finish, the socket file is removed, exit 0")
    func gracefulShutdown() throws {
        let peerd = try PeerdProcess(arguments: ["--shutdown-grace", "0.5"])
        let client = try SocketClient(path: peerd.socketPath)
        try client.request(
            1, GrpcHealthV1.Health.watch, payload: Health.CheckRequest().encoded(), flags: .remoteClosed)
        #expect(try Health.CheckResponse(wire: client.readFrame().payload).status == .serving)

        peerd.signal(SIGTERM)
        let update = try client.readFrame()
        #expect(update.type == .data)
        #expect(try Health.CheckResponse(wire: update.payload).status == .notServing)
        #expect(peerd.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: peerd.socketPath))
        #expect(!FileManager.default.fileExists(atPath: peerd.socketPath + ".lock"))
    }

    @Test("Bad flags are refused before anything binds, each problem named")
    func badFlags() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let peerd = try ChildProcess.run(
            PeerdProcess.binary.path,
            ["--socket", "\(directory)/s.sock", "--max-frame-size", "10", "--max-concurrent-streams", "0"])
        let message = peerd.stderr
        #expect(peerd.status != 0)
        #expect(message.contains("--max-frame-size: must be from 1024 to 16777216 (actual: 10)"))
        #expect(message.contains("--max-concurrent-streams: must be from 1 to 65536 (actual: 0)"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/s.sock"))
    }
}
