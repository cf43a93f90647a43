import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// Peers that peerd forgets on its own, seen through Watch, and what ReportEvents says it
/// ignored: the real peerd, a host scripted over the real socket (issue 9, items 3 and 4).
@Suite("Peer lifecycle over the socket")
struct PeerLifecycleSocketTests {
    /// A Watch stream of peer events only, registered: peerd registers a watcher asynchronously,
    /// so marker peers are added until the first one's ADDED arrives.
    static func peerWatcher(_ peerd: PeerdProcess, admin: PeerManagerClient) throws -> SocketClient {
        let watcher = try SocketClient(path: peerd.socketPath, receiveTimeout: .milliseconds(200))
        try watcher.request(
            1, PeerManagerV1.PeerManager.watch,
            payload: PeerManagerV1.WatchRequest(peerEvents: true).encoded(), flags: .remoteClosed)
        for n in 9000..<9050 {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n))))
            if let frame = try? watcher.readFrame() {
                #expect(frame.type == .data)
                return watcher
            }
        }
        Issue.record("no Watch event after 50 peers were added")
        return watcher
    }

    /// The peer events read within `seconds`, by peer, until `done` holds.
    static func peerEvents(
        _ watcher: SocketClient, seconds: Double = 20,
        until done: ([String: [PeerManagerV1.PeerEvent.Kind]]) -> Bool
    ) throws -> [String: [PeerManagerV1.PeerEvent.Kind]] {
        var byPeer: [String: [PeerManagerV1.PeerEvent.Kind]] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        while !done(byPeer), Date() < deadline {
            guard let frame = try? watcher.readFrame(), frame.type == .data else { continue }
            if case .peerEvent(let event)? = try PeerManagerV1.WatchEvent(wire: frame.payload).event {
                byPeer[event.peerID, default: []].append(event.kind)
            }
        }
        return byPeer
    }

    @Test("peers refused by the colocation limit or rejected for their cluster are seen leaving the books")
    func forgottenPeersWatched() throws {
        let peerd = try PeerdProcess(arguments: ["--ip-colocation-limit", "1", "--cluster-id", "1", "--shard", "0"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let watcher = try Self.peerWatcher(peerd, admin: admin)
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello(clusterID: 1))
        try host.send(.connectionOpened(SidecarHostTests.opened(1, conn: 1, ip: "7.7.7.7")))
        try host.send(.connectionOpened(SidecarHostTests.opened(2, conn: 2, ip: "7.7.7.7")))
        // Peer 1 is asked for its metadata (and rejected for its cluster); peer 2 is refused by
        // the colocation limit. The host carries out the disconnects. (Dials of the marker peers
        // are left unanswered.)
        var disconnected: Set<String> = []
        while disconnected.count < 2 {
            let command = try host.nextCommand()
            switch command.command {
            case .requestMetadata?:
                try host.send(
                    .commandResult(
                        .init(commandID: command.commandID, outcome: .metadata(.init(clusterID: 2, shards: [0])))))
            case .disconnect(let disconnect)?:
                disconnected.insert(disconnect.peerID)
                let conn: UInt64 = disconnect.peerID == TestPeers.id(1) ? 1 : 2
                try host.send(.connectionClosed(.init(connectionID: conn)))
                try host.send(.commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))))
            default: continue
            }
        }
        #expect(disconnected == [TestPeers.id(1), TestPeers.id(2)])
        let whole: [PeerManagerV1.PeerEvent.Kind] = [.added, .connected, .disconnected, .removed]
        let events = try Self.peerEvents(watcher) { events in
            events[TestPeers.id(1)] == whole && events[TestPeers.id(2)] == whole
        }
        #expect(events[TestPeers.id(2)] == whole, "colocation refusal")
        #expect(events[TestPeers.id(1)] == whole, "cluster rejection")
        #expect(throws: RPCError.self) {
            let _: PeerManagerV1.Peer = try admin.call(
                PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
        }
    }

    @Test("a peer removed while connected stays Connected until it leaves: Disconnect reaches it, then it is gone")
    func removedWhileConnected() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        try host.send(.connectionOpened(SidecarHostTests.opened(3, conn: 3)))
        try waitFor(peerd) {
            (try? admin.call(PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(3)))
                as PeerManagerV1.Peer)?
                .connectedness == .connected
        }
        let _: PeerManagerV1.RemovePeerResponse = try admin.call(
            PeerManagerV1.PeerManager.removePeer, PeerManagerV1.RemovePeerRequest(peerID: TestPeers.id(3)))
        let kept: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(3)))
        #expect(kept.connectedness == .connected)
        // Disconnect still reaches the connection (it was refused as "not connected").
        let _: PeerManagerV1.DisconnectResponse = try admin.call(
            PeerManagerV1.PeerManager.disconnect, PeerManagerV1.DisconnectRequest(peerID: TestPeers.id(3)))
        var command = try host.nextCommand()
        while case .dial? = command.command { command = try host.nextCommand() }
        guard case .disconnect(let disconnect)? = command.command else {
            Issue.record("expected a disconnect, got \(command)")
            return
        }
        #expect(disconnect.peerID == TestPeers.id(3))
        try host.send(.connectionClosed(.init(connectionID: 3)))
        try waitFor(peerd) {
            (try? admin.call(PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(3)))
                as PeerManagerV1.Peer)
                == nil
        }
    }

    @Test("ReportEvents counts events for unknown connections, peers and commands as ignored")
    func reportEventsCountsIgnored() throws {
        let peerd = try PeerdProcess()
        let host = try PeerManagerClient(socketPath: peerd.socketPath)
        let stranger = TestPeers.id(50)
        let response: PeerManagerV1.ReportEventsResponse = try host.call(
            PeerManagerV1.Host.reportEvents,
            PeerManagerV1.ReportEventsRequest(
                sessionID: 0,
                events: [
                    .init(event: .hello(SidecarHostTests.hello())),
                    .init(event: .connectionOpened(SidecarHostTests.opened(1, conn: 1))),
                    .init(event: .connectionClosed(.init(connectionID: 42))),
                    .init(event: .streamOpened(.init(peerID: stranger, protocol: "/x", direction: .inbound))),
                    .init(event: .identified(.init(peerID: stranger, protocols: ["/x"]))),
                    .init(event: .metadata(.init(peerID: stranger, result: .received(.init(clusterID: 1))))),
                    .init(event: .commandResult(.init(commandID: 12_345, outcome: .succeeded(true)))),
                    .init(event: .streamOpened(.init(peerID: "not a peer id", protocol: "/x"))),
                ]))
        #expect(response.accepted == 1)
        #expect(response.ignored == 6)
        // A later batch is counted the same way.
        let later: PeerManagerV1.ReportEventsResponse = try host.call(
            PeerManagerV1.Host.reportEvents,
            PeerManagerV1.ReportEventsRequest(
                sessionID: response.sessionID,
                events: [
                    .init(event: .connectionClosed(.init(connectionID: 1))),
                    .init(event: .connectionClosed(.init(connectionID: 1))),
                ]))
        #expect(later.accepted == 1)
        #expect(later.ignored == 1)
    }
}
