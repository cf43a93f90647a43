import Foundation
import PeerCore
import PeerTestSupport
import PeerWire
import Synchronization
import Testing

@testable import PeerServer

/// What a connection makes the server keep (a Watch stream and its queue, protection tags, a
/// dial awaited by Connect) is released when the client hangs up without ending its calls, so
/// the server's state is bounded by the connections open, not by how many came and went.
@Suite("Per-connection state is released", .timeLimit(.minutes(1)))
struct ConnectionStateReleaseTests {
    struct Held: Equatable, CustomStringConvertible {
        var watchers: Int
        var watchStreams: Int
        var awaitedDials: Int
        var protectedPeers: Int

        init(_ runtime: EngineRuntime) {
            (watchers, watchStreams, awaitedDials) = runtime.state.withLock {
                ($0.watchers.count, $0.openWatchStreams, $0.awaited.count)
            }
            protectedPeers = runtime.read { engine, now, _ in Int(engine.statistics(now: now).protectedPeers) }
        }

        var description: String {
            "\(watchers) watchers, \(watchStreams) Watch streams, \(awaitedDials) awaited dials, "
                + "\(protectedPeers) protected peers"
        }
    }

    /// Waits until what the runtime holds passes `condition`; the timeout says what it held.
    static func waitFor(_ what: String, _ runtime: EngineRuntime, _ condition: (Held) -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        var held = Held(runtime)
        while !condition(held) {
            guard ContinuousClock.now < deadline else { throw InProcessTestError.timedOut("\(what): \(held)") }
            usleep(5_000)
            held = Held(runtime)
        }
    }

    @Test("rounds of clients that Watch, Protect and Connect, then hang up mid-call, leave nothing held")
    func hungUpClientsLeaveNothing() async throws {
        try await InProcessSidecar.run { sidecar in
            let runtime = sidecar.sidecar.runtime
            let host = try await onThread { try SocketClient(path: sidecar.socketPath) }
            try await onThread { try InProcessServiceTests.attach(host) }
            try await InProcessServiceTests.waitUntilAttached(sidecar)
            let baseline = Held(runtime)
            #expect(baseline == Held(runtime: 0, 0, 0, 0), "\(baseline)")
            try await onThread {
                let admin = try SocketClient(path: sidecar.socketPath)
                // Store peers, not relay ones: the connectivity loop dials relay peers itself, and
                // a dial of its in flight would refuse the Connect below.
                for n in 1...3 {
                    var peer = InProcessServiceTests.peer(n)
                    peer.protocols = ["/vac/waku/store/3.0.0"]
                    let added = try admin.call(
                        UInt32(2 * n - 1), PeerManagerV1.PeerManager.addPeer,
                        payload: PeerManagerV1.AddPeerRequest(source: .peer(peer)).encoded())
                    #expect(added.code == .ok)
                }
                let clientsPerRound = 8
                for round in 0..<3 {
                    // A peer of its own per round: the last round's dial is still in flight.
                    let peer = InProcessServiceTests.peerID(round + 1)
                    var clients: [SocketClient] = []
                    for n in 0..<clientsPerRound {
                        let client = try SocketClient(path: sidecar.socketPath)
                        try client.request(
                            1, PeerManagerV1.PeerManager.watch,
                            payload: PeerManagerV1.WatchRequest(decisions: true, peerEvents: true).encoded(),
                            flags: .remoteClosed)
                        let protect = PeerManagerV1.ProtectRequest(
                            peerID: peer, tag: "client-\(round)-\(n)")
                        let protected = try client.call(
                            3, PeerManagerV1.PeerManager.protect, payload: protect.encoded())
                        #expect(protected.code == .ok)
                        // The host never answers: the first client's Connect waits on the dial.
                        let connect = PeerManagerV1.ConnectRequest(peers: [peer], timeoutMs: 60_000)
                        try client.request(5, PeerManagerV1.PeerManager.connect, payload: connect.encoded())
                        // And half a frame, never finished.
                        try client.sendRaw([0, 0, 1, 0, 0, 0, 0, 7, 1])
                        clients.append(client)
                    }
                    try Self.waitFor("round \(round) held", runtime) { held in
                        held.watchStreams == clientsPerRound && held.awaitedDials == 1 && held.protectedPeers == 1
                    }
                    for client in clients { client.close() }
                    try Self.waitFor("round \(round) released", runtime) { $0 == baseline }
                }
            }
        }
    }
}

extension ConnectionStateReleaseTests.Held {
    init(runtime watchers: Int, _ watchStreams: Int, _ awaitedDials: Int, _ protectedPeers: Int) {
        self.watchers = watchers
        self.watchStreams = watchStreams
        self.awaitedDials = awaitedDials
        self.protectedPeers = protectedPeers
    }
}
