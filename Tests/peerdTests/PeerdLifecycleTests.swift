import Foundation
import NIOCore
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
        let second = Process()
        second.executableURL = PeerdProcess.binary
        second.arguments = ["--socket", first.socketPath]
        let stderr = Pipe()
        second.standardError = stderr
        try second.run()
        second.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(second.terminationStatus == 1)
        #expect(message.contains("another peerd is serving \(first.socketPath)"))
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

        let peerd = Process()
        peerd.executableURL = PeerdProcess.binary
        peerd.arguments = ["--socket", path]
        peerd.standardError = FileHandle.nullDevice
        try peerd.run()
        defer {
            kill(peerd.processIdentifier, SIGKILL)
            peerd.waitUntilExit()
        }
        let deadline = ContinuousClock.now + .seconds(20)
        var status: Health.ServingStatus?
        while status == nil && ContinuousClock.now < deadline {
            status = try? SocketClient(path: path).healthCheck(1)
            if status == nil { usleep(20_000) }
        }
        #expect(status == .serving)
    }

    @Test("A path that is not a socket is never replaced")
    func regularFileKept() throws {
        let directory = try PeerdProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/file.sock"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        let peerd = Process()
        peerd.executableURL = PeerdProcess.binary
        peerd.arguments = ["--socket", path]
        let stderr = Pipe()
        peerd.standardError = stderr
        try peerd.run()
        peerd.waitUntilExit()
        #expect(peerd.terminationStatus == 1)
        #expect(
            String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains(
                "is not a socket"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test("SIGTERM: watchers see NOT_SERVING, calls in flight finish, the socket file is removed, exit 0")
    func gracefulShutdown() throws {
        let peerd = try PeerdProcess(arguments: ["--shutdown-grace", "0.5"])
        let client = try SocketClient(path: peerd.socketPath)
        try client.request(
            1, Health.serviceName, "Watch", payload: Health.CheckRequest().encoded(), flags: .remoteClosed)
        #expect(try Health.CheckResponse(wire: client.readFrame().payload).status == .serving)

        kill(peerd.process.processIdentifier, SIGTERM)
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
        let peerd = Process()
        peerd.executableURL = PeerdProcess.binary
        peerd.arguments = [
            "--socket", "\(directory)/s.sock", "--max-frame-size", "10", "--max-concurrent-streams", "0",
        ]
        let stderr = Pipe()
        peerd.standardError = stderr
        try peerd.run()
        peerd.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(peerd.terminationStatus != 0)
        #expect(message.contains("max frame size: 10, must be 1024...16777216"))
        #expect(message.contains("max concurrent streams: 0, must be >= 1"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/s.sock"))
    }
}
