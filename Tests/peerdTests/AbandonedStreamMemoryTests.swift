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
        // Task.sleep(for: 1 h) held about 600 bytes each (12 MiB here) for the hour.
        var grown = try Self.anonymousKiB(pid) - before
        let deadline = ContinuousClock.now + .seconds(5)
        while grown >= 4096 && ContinuousClock.now < deadline {
            usleep(100_000)
            grown = try Self.anonymousKiB(pid) - before
        }
        #expect(grown < 4096, "peerd's anonymous memory grew \(grown) KiB over 20,000 abandoned streams")
        #expect(try SocketClient(path: peerd.socketPath).healthCheck(1) == .serving)
    }
}
