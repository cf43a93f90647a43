import Dispatch
import Foundation
import PeerWire
import Synchronization
import Testing

/// Connect and Reconnect through the real socket, with a scripted host.
@Suite("peerd requests: Connect's addresses, Reconnect's backoff")
struct SidecarRequestTests {
    static let store = "/vac/waku/store/3.0.0"

    /// Attaches a host with `connections`, identified as store peers (not relay: the connectivity
    /// loop leaves them alone), and waits until peerd has them.
    static func attached(
        _ peerd: PeerdProcess, connections: [PeerManagerV1.ConnectionOpened]
    ) throws -> (ScriptedHost, PeerManagerClient) {
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello(connections: connections))
        for connection in connections {
            try host.send(.identified(.init(peerID: connection.peerID, protocols: [store])))
        }
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .connected == connections.count
        }
        return (host, admin)
    }

    static func connectedPeers(_ admin: PeerManagerClient) throws -> Int {
        Int(
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .connected)
    }

    @Test("Connect dials a peer known only from an inbound connection at the address it is given")
    func connectInboundOnlyPeer() throws {
        let peerd = try PeerdProcess()
        let (host, admin) = try Self.attached(peerd, connections: [SidecarHostTests.opened(3, conn: 3)])
        try host.send(.connectionClosed(.init(connectionID: 3)))
        try waitFor(peerd) { try Self.connectedPeers(admin) == 0 }

        let result = Mutex<Result<PeerManagerV1.ConnectResponse, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let path = peerd.socketPath
        Thread.detachNewThread {
            let outcome = Result {
                try PeerManagerClient(socketPath: path).call(
                    "Connect",
                    PeerManagerV1.ConnectRequest(
                        peers: ["/ip4/192.0.2.3/tcp/60000/p2p/\(TestPeers.id(3))"], timeoutMs: 3000))
                    as PeerManagerV1.ConnectResponse
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
        // Before the fix the call ended at once with "no known address" and nothing was dialled.
        if done.wait(timeout: .now() + 1) == .success {
            let response = try #require(try result.withLock { $0 }?.get())
            Issue.record("Connect ended without a dial: \(response.outcomes.map(\.error))")
            return
        }
        let command = try host.nextCommand()
        guard case .dial(let dial)? = command.command else {
            Issue.record("expected a dial, got \(command)")
            return
        }
        #expect(dial.peerID == TestPeers.id(3))
        #expect(dial.addresses == ["/ip4/192.0.2.3/tcp/60000"])
        try host.send(
            .connectionOpened(
                .init(connectionID: 30, peerID: dial.peerID, direction: .outbound, observedAddress: dial.addresses[0])))
        try host.send(.commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))))
        #expect(done.wait(timeout: .now() + 10) == .success)
        let response = try #require(try result.withLock { $0 }?.get())
        #expect(response.outcomes.first?.connected == true)
        let record: PeerManagerV1.Peer = try admin.call(
            PeerManagerV1.PeerManager.getPeer, PeerManagerV1.GetPeerRequest(peerID: TestPeers.id(3)))
        #expect(record.addresses == ["/ip4/192.0.2.3/tcp/60000"])
    }

    @Test("Reconnect waits out the backoff since the peer's disconnect before dialling it (nwaku reconnectPeers)")
    func reconnectWaitsOutBackoff() throws {
        let peerd = try PeerdProcess()
        let (host, admin) = try Self.attached(
            peerd,
            connections: [
                SidecarHostTests.opened(1, conn: 1, direction: .outbound), SidecarHostTests.opened(2, conn: 2),
            ])
        try host.send(.connectionClosed(.init(connectionID: 1)))
        try waitFor(peerd) { try Self.connectedPeers(admin) == 1 }

        let response: PeerManagerV1.ReconnectResponse = try admin.call(
            PeerManagerV1.PeerManager.reconnect, PeerManagerV1.ReconnectRequest())
        #expect(response.dialing == 1)
        // Peer 1 left a moment ago: its dial waits 62 s. The next command is the disconnect
        // asked for now; before the fix it was peer 1's dial, issued at once.
        let _: PeerManagerV1.DisconnectResponse = try admin.call(
            PeerManagerV1.PeerManager.disconnect, PeerManagerV1.DisconnectRequest(peerID: TestPeers.id(2)))
        let command = try host.nextCommand()
        guard case .disconnect(let disconnect)? = command.command else {
            Issue.record("expected the disconnect first, got \(command)")
            return
        }
        #expect(disconnect.peerID == TestPeers.id(2))
    }
}
