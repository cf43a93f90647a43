import Foundation
import PeerTestSupport
import PeerWire
import Testing

/// Streams that clients open and abandon cost peerd nothing once they are gone: the memory a
/// process holds afterwards does not grow with how many came and went.
@Suite("Bounded memory: abandoned streams", .serialized)
struct AbandonedStreamMemoryTests {
    /// The process's anonymous resident memory (heap and stacks), KiB.
    static func anonymousKiB(_ pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    /// `connections` clients each open `streams` Health/Watch streams of a service peerd does
    /// not know, read every SERVICE_UNKNOWN answer (the stream then waits for the client), and
    /// hang up.
    static func abandonWatches(_ socketPath: String, connections: Int, streams: Int) throws {
        let request = GrpcHealthV1.HealthCheckRequest(service: "not.a.Service").encoded()
        for _ in 0..<connections {
            let client = try SocketClient(path: socketPath)
            for stream in 0..<streams {
                try client.request(
                    UInt32(2 * stream + 1), GrpcHealthV1.Health.watch, payload: request, flags: .remoteClosed)
            }
            var answered = 0
            while answered < streams {
                if try client.readFrame().type == .data { answered += 1 }
            }
            client.close()
        }
    }

    @Test("20,000 Health/Watch streams of an unknown service, abandoned: no memory held after them")
    func abandonedHealthWatches() throws {
        let peerd = try PeerdProcess(arguments: ["--no-persistence"])
        let pid = peerd.process.pid
        // Warm-up: the allocator's arenas and the event loops' buffers reach their size.
        try Self.abandonWatches(peerd.socketPath, connections: 50, streams: 100)
        usleep(500_000)
        let before = try Self.anonymousKiB(pid)
        try Self.abandonWatches(peerd.socketPath, connections: 200, streams: 100)
        // The streams end when peerd sees the hang-ups: give it a moment. A cancelled
        // Task.sleep(for: 1 h) held about 600 bytes each (13.9 MiB here) for the hour.
        let grown = try Self.settledGrowthKiB(pid, since: before)
        #expect(grown < Self.limitKiB, "peerd's anonymous memory grew \(grown) KiB over 20,000 abandoned streams")
        #expect(try SocketClient(path: peerd.socketPath).healthCheck(1) == .serving)
    }

    @Test("10,000 offline host attaches, each taking over the last: no memory held after them")
    func attachChurn() throws {
        let peerd = try PeerdProcess(arguments: ["--no-persistence"])
        let pid = peerd.process.pid
        let host = try SocketClient(path: peerd.socketPath)
        var stream: UInt32 = 1
        /// Attaches `count` times on one connection; each new hello takes the session over, and
        /// a Response ending one of the earlier Attach streams (handlers run concurrently, so
        /// not always the one before) says peerd handled it.
        func attach(_ count: Int) throws {
            for _ in 0..<count {
                try host.request(stream, PeerManagerV1.Host.attach, flags: .remoteOpen)
                let hello = PeerManagerV1.HostHello(peerID: TestPeers.id(9999), online: false, takeOver: true)
                try host.send(
                    Frame(
                        streamID: stream, type: .data, payload: PeerManagerV1.HostEvent(event: .hello(hello)).encoded())
                )
                while stream > 1, try host.readFrame().type != .response {}
                stream += 2
            }
        }
        try attach(2_000)
        usleep(500_000)
        let before = try Self.anonymousKiB(pid)
        try attach(10_000)
        // Every hello wakes the connectivity loop, which sleeps 60 s while offline: a cancelled
        // Task.sleep held about 700 bytes for the rest of its 60 s (7.2 MiB here).
        let grown = try Self.settledGrowthKiB(pid, since: before)
        #expect(grown < Self.limitKiB, "peerd's anonymous memory grew \(grown) KiB over 10,000 attaches")
    }

    /// What an abandoned thing may leave behind, in all: allocator noise, not a per-thing cost.
    static let limitKiB = 4096

    /// The growth of anonymous memory over `before`, once it is under the limit or after 5 s.
    static func settledGrowthKiB(_ pid: pid_t, since before: Int) throws -> Int {
        var grown = try anonymousKiB(pid) - before
        let deadline = ContinuousClock.now + .seconds(5)
        while grown >= limitKiB && ContinuousClock.now < deadline {
            usleep(100_000)
            grown = try anonymousKiB(pid) - before
        }
        return grown
    }
}
