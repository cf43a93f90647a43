import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

@Suite("peerd tolerates what hosts get wrong")
struct SidecarToleranceTests {
    @Test("A dial whose result never comes back counts as timed out (after its timeout plus 5 s)")
    func unansweredDialTimesOut() throws {
        let peerd = try PeerdProcess(arguments: ["--dial-timeout", "0.2"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(1))))
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        let dial = try host.nextCommand()
        guard case .dial(let command)? = dial.command else {
            Issue.record("expected a dial, got \(dial)")
            return
        }
        #expect(command.timeoutMs == 200)
        // No answer. The engine expires it on a loop tick after 0.2 s + 5 s.
        var peer = PeerManagerV1.Peer()
        let deadline = Date().addingTimeInterval(15)
        repeat {
            usleep(200_000)
            peer = try admin.call(
                PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
        } while peer.failedDials == 0 && Date() < deadline
        #expect(peer.failedDials == 1)
        #expect(peer.connectedness == .cannotConnect)
    }

    @Test("Events out of order, for unknown connections or malformed never end the session")
    func toleratedEvents() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        try host.send(.connectionClosed(.init(connectionID: 999)))
        try host.send(.streamClosed(.init(peerID: TestPeers.id(5), protocol: "/x", direction: .inbound)))
        try host.send(.commandResult(.init(commandID: 12345, outcome: .succeeded(true))))
        try host.send(.identified(.init(peerID: "not-a-peer-id")))
        try host.send(.streamOpened(.init(peerID: TestPeers.id(5), protocol: "", direction: .inbound)))
        // Garbage bytes as an event.
        try host.client.send(Frame(streamID: host.streamID, type: .data, payload: .init(bytes: [0xFF, 0xFF, 0xFF])))
        try host.send(.connectionOpened(SidecarHostTests.opened(1, conn: 1)))
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .connected == 1
        }
        let stats: PeerManagerV1.Statistics = try admin.call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
        #expect(stats.hostAttached)
    }

    @Test("A burst of events far beyond one read's worth is applied, not refused (backpressure)")
    func eventBurst() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello(connections: [SidecarHostTests.opened(1, conn: 1)]))
        // 6,000 events in one write: 3,000 relay streams opened and closed, then one left open.
        let relay = "/vac/waku/relay/2.0.0"
        var bytes = ByteBuffer()
        func append(_ event: PeerManagerV1.HostEvent.OneOf_Event) {
            Frame(streamID: host.streamID, type: .data, payload: PeerManagerV1.HostEvent(event: event).encoded())
                .write(to: &bytes)
        }
        for _ in 0..<3000 {
            append(.streamOpened(.init(peerID: TestPeers.id(1), protocol: relay, direction: .inbound)))
            append(.streamClosed(.init(peerID: TestPeers.id(1), protocol: relay, direction: .inbound)))
        }
        append(.streamOpened(.init(peerID: TestPeers.id(1), protocol: relay, direction: .outbound)))
        try host.client.sendRaw(Array(bytes.readableBytesView))

        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        var connected = PeerManagerV1.ConnectedPeersResponse()
        try waitFor(peerd) {
            connected = try admin.call(PeerManagerV1.PeerManager.connectedPeers, PeerManagerV1.ConnectedPeersRequest())
            return connected.peers.first?.streams.first?.outbound == 1
        }
        #expect(connected.peers.first?.streams == [.init(protocol: relay, inbound: 0, outbound: 1)])
        let stats: PeerManagerV1.Statistics = try admin.call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
        #expect(stats.hostAttached)
    }

    @Test("Without a host peerd stays quiet (no decision every second), and dials as soon as one attaches")
    func quietWhileOffline() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(1))))
        let watcher = try SocketClient(path: peerd.socketPath, receiveTimeout: .seconds(3))
        try watcher.request(
            1, PeerManagerV1.PeerManager.watch,
            payload: PeerManagerV1.WatchRequest(decisions: true).encoded(), flags: .remoteClosed)
        // Nothing happens for three seconds: the read times out.
        #expect(throws: (any Error).self) { _ = try watcher.readFrame() }

        let host = try ScriptedHost(socketPath: peerd.socketPath)
        let attached = Date()
        try host.attach(SidecarHostTests.hello())
        guard case .dial(let dial)? = try host.nextCommand().command else {
            Issue.record("expected a dial")
            return
        }
        #expect(dial.peerID == TestPeers.id(1))
        #expect(Date().timeIntervalSince(attached) < 1)
    }
}
