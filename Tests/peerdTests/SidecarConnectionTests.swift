import Dispatch
import Foundation
import PeerWire
import Synchronization
import Testing

@Suite("peerd connection requests")
struct SidecarConnectionTests {
    @Test("Connect dials through the host and returns each peer's outcome once the host reports it")
    func connectWaitsForOutcomes() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .hostAttached
        }

        // Connect blocks until the outcomes are in: run it beside the scripted host.
        let result = Mutex<Result<PeerManagerV1.ConnectResponse, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let path = peerd.socketPath
        Thread.detachNewThread {
            let outcome = Result {
                try PeerManagerClient(socketPath: path).call(
                    "Connect",
                    PeerManagerV1.ConnectRequest(
                        peers: [
                            "/ip4/10.1.1.1/tcp/60000/p2p/\(TestPeers.id(1))",
                            "/ip4/10.1.1.2/tcp/60000/p2p/\(TestPeers.id(2))",
                        ],
                        timeoutMs: 3000)) as PeerManagerV1.ConnectResponse
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
        var answered = 0
        while answered < 2 {
            let command = try host.nextCommand()
            guard case .dial(let dial)? = command.command else { continue }
            #expect(dial.timeoutMs == 3000)
            if dial.peerID == TestPeers.id(1) {
                try host.send(
                    .connectionOpened(
                        .init(
                            connectionID: 1, peerID: dial.peerID, direction: .outbound,
                            observedAddress: dial.addresses[0])))
                try host.send(.commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))))
            } else {
                try host.send(.commandResult(.init(commandID: command.commandID, outcome: .failed("no route to host"))))
            }
            answered += 1
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        let response = try #require(try result.withLock { $0 }?.get())
        #expect(response.outcomes.count == 2)
        #expect(response.outcomes[0].peerID == TestPeers.id(1))
        #expect(response.outcomes[0].connected)
        #expect(!response.outcomes[1].connected)
        #expect(response.outcomes[1].error == "no route to host")
    }

    @Test("Disconnect, ConnectedPeers with stream counts, Protect and Unprotect")
    func connectedPeersAndProtection() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(
            SidecarHostTests.hello(connections: [
                SidecarHostTests.opened(1, conn: 1), SidecarHostTests.opened(2, conn: 2),
            ]))
        let relay = "/vac/waku/relay/2.0.0"
        try host.send(.identified(.init(peerID: TestPeers.id(1), protocols: [relay])))
        for direction in [PeerManagerV1.Direction.inbound, .inbound, .outbound] {
            try host.send(.streamOpened(.init(peerID: TestPeers.id(1), protocol: relay, direction: direction)))
        }
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        var connected = PeerManagerV1.ConnectedPeersResponse()
        try waitFor(peerd) {
            connected = try admin.call(
                PeerManagerV1.PeerManager.connectedPeers, PeerManagerV1.ConnectedPeersRequest(protocol: relay))
            return connected.peers.first?.streams.first?.outbound == 1
        }
        #expect(connected.peers.map(\.peerID) == [TestPeers.id(1)])
        #expect(connected.peers[0].streams == [.init(protocol: relay, inbound: 2, outbound: 1)])

        let protected: PeerManagerV1.ProtectResponse = try admin.call(
            PeerManagerV1.PeerManager.protect,
            PeerManagerV1.ProtectRequest(peerID: TestPeers.id(1), tag: "store-request"))
        #expect(protected.isProtected)
        let peer: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(1)))
        #expect(peer.protectionTags == ["store-request"])
        let unprotected: PeerManagerV1.ProtectResponse = try admin.call(
            PeerManagerV1.PeerManager.unprotect,
            PeerManagerV1.ProtectRequest(peerID: TestPeers.id(1), tag: "store-request"))
        #expect(!unprotected.isProtected)

        let _: PeerManagerV1.DisconnectResponse = try admin.call(
            PeerManagerV1.PeerManager.disconnect, PeerManagerV1.DisconnectRequest(peerID: TestPeers.id(2)))
        let command = try host.nextCommand()
        guard case .disconnect(let disconnect)? = command.command else {
            Issue.record("expected a disconnect, got \(command)")
            return
        }
        #expect(disconnect.peerID == TestPeers.id(2))
        #expect(disconnect.reason == "disconnect_requested")
        // Disconnecting a peer that is not connected is refused.
        #expect(throws: RPCError.self) {
            let _: PeerManagerV1.DisconnectResponse = try admin.call(
                PeerManagerV1.PeerManager.disconnect, PeerManagerV1.DisconnectRequest(peerID: TestPeers.id(3)))
        }
    }
}
