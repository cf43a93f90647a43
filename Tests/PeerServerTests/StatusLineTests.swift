import Logging
import PeerCore
import PeerIdentity
import Testing

@testable import PeerServer

/// The periodic status line is nwaku's, so an operator's grep for it works on peerd's log.
@Suite("Status line")
struct StatusLineTests {
    @Test("nwaku's message and field names, as log metadata (logfmt or JSON fields)")
    func jsonLine() throws {
        var engine = try PeerEngine(configuration: .defaults { _ in }, selfID: PeerID(multihash: [0, 1, 9]))
        engine.addPeer(PeerInfo(id: PeerID(multihash: [0, 1, 1]), addresses: []), now: .seconds(1_700_000_000))
        let statistics = engine.statistics(now: .seconds(1_700_000_000))
        let metadata = EngineLoops.statusMetadata(statistics)
        // Before: the message was "inRelayConns=0/20 outRelayConns=0/10 ..." with no fields.
        #expect("\(EngineLoops.statusMessage)" == "Relay peer connections")
        #expect(
            metadata == [
                "inRelayConns": "0/20", "outRelayConns": "0/10", "totalConnections": "0/50",
                "notConnectedPeers": "1", "outsideBackoffPeers": "1",
            ])
    }
}
