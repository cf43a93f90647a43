import Foundation
import PeerWire
import Testing

@Suite("peerd metrics endpoint")
struct SidecarMetricsTests {
    @Test("/metrics shows nwaku's names with the right values, and RPC counts per method")
    func metricsEndpoint() throws {
        let port = try PeerdProcess.freePort()
        let peerd = try PeerdProcess(arguments: ["--metrics-address", "127.0.0.1:\(port)"])
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        for n in 1...3 {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                PeerManagerV1.PeerManager.addPeer, PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n))))
        }
        // One dial that succeeds through a scripted host.
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        let dial = try host.nextCommand()
        guard case .dial(let command)? = dial.command else {
            Issue.record("expected a dial, got \(dial)")
            return
        }
        try host.send(
            .connectionOpened(
                .init(
                    connectionID: 1, peerID: command.peerID, direction: .outbound, observedAddress: command.addresses[0]
                )))
        try host.send(
            .streamOpened(.init(peerID: command.peerID, protocol: "/vac/waku/relay/2.0.0", direction: .outbound)))
        try host.send(.commandResult(.init(commandID: dial.commandID, outcome: .succeeded(true))))

        var body = ""
        try waitFor(peerd) {
            body = try PeerdProcess.httpGet(port: port, path: "/metrics").body
            return body.contains("waku_peers_dials{outcome=\"successful\"} 1")
        }
        let lines = Set(body.split(separator: "\n").map(String.init))
        #expect(lines.contains("waku_peer_store_size 3.0"))
        #expect(lines.contains("peerd_host_attached 1.0"))
        #expect(lines.contains("# HELP waku_peer_store_size Number of peers managed by the peer store"))
        #expect(lines.contains("waku_connected_peers{direction=\"Out\",protocol=\"/vac/waku/relay/2.0.0\"} 1.0"))
        #expect(lines.contains("waku_streams_peers{direction=\"Out\",protocol=\"/vac/waku/relay/2.0.0\"} 1.0"))
        #expect(
            lines.contains("peerd_rpc_calls_total{method=\"/waku.peermanager.v1.PeerManager/AddPeer\",code=\"OK\"} 3"))
        #expect(lines.contains("peerd_engine_decisions_total{reason=\"peer_added\"} 3"))
        #expect(try PeerdProcess.httpGet(port: port, path: "/").status.contains("404"))
    }
}
