import PeerCore
import PeerIdentity
import Testing

@Suite("Connection and stream tracking")
struct ConnectionTrackingTests {
    @Test("getNumStreams(): streams per protocol and direction")
    func numStreams() throws {
        var engine = try engine()
        engine.open(1, direction: .outbound)
        for _ in 0..<4 {
            _ = engine.handle(
                .streamOpened(peer: peer(1), protocolID: WakuCodec.filterSubscribe, direction: .outbound), now: at(0))
        }
        _ = engine.handle(.streamOpened(peer: peer(1), protocolID: WakuCodec.relay, direction: .outbound), now: at(0))
        _ = engine.handle(.streamOpened(peer: peer(1), protocolID: WakuCodec.relay, direction: .inbound), now: at(0))
        let streams = engine.streamCounts(peer(1))
        #expect(streams[WakuCodec.filterSubscribe]?.inbound == 0)
        #expect(streams[WakuCodec.filterSubscribe]?.outbound == 4)
        #expect(streams[WakuCodec.relay]?.inbound == 1)
        #expect(streams[WakuCodec.relay]?.outbound == 1)
        // An open relay stream makes the peer an outbound relay peer.
        #expect(engine.statistics(now: at(0)).outboundRelay == 1)
        _ = engine.handle(.streamClosed(peer: peer(1), protocolID: WakuCodec.relay, direction: .inbound), now: at(0))
        _ = engine.handle(.streamClosed(peer: peer(1), protocolID: WakuCodec.relay, direction: .outbound), now: at(0))
        #expect(engine.streamCounts(peer(1))[WakuCodec.relay] == nil)
        #expect(engine.statistics(now: at(0)).outboundRelay == 0)
        engine.close(1)
        #expect(engine.streamCounts(peer(1)).isEmpty)
    }

    @Test("connectedPeers() per protocol")
    func connectedPerProtocol() throws {
        var engine = try engine()
        engine.open(1, direction: .inbound)
        engine.open(2, direction: .outbound)
        engine.open(3, direction: .outbound)
        _ = engine.handle(
            .identified(peer: peer(1), IdentifyInfo(protocols: [WakuCodec.relay, WakuCodec.filterSubscribe])),
            now: at(0))
        _ = engine.handle(.identified(peer: peer(2), IdentifyInfo(protocols: [WakuCodec.relay])), now: at(0))
        _ = engine.handle(.identified(peer: peer(3), IdentifyInfo(protocols: [WakuCodec.store])), now: at(0))
        let stats = engine.statistics(now: at(0))
        #expect(stats.connectedPerProtocol[WakuCodec.relay]?.inbound == 1)
        #expect(stats.connectedPerProtocol[WakuCodec.relay]?.outbound == 1)
        #expect(stats.connectedPerProtocol[WakuCodec.filterSubscribe]?.inbound == 1)
        #expect(stats.connectedPerProtocol[WakuCodec.store]?.outbound == 1)
        #expect(stats.inboundRelay == 1)
        #expect(stats.outboundRelay == 1)
        #expect(stats.connectedPeers == 3)
        #expect(stats.summary.hasPrefix("inRelayConns=1/20 outRelayConns=1/10 totalConnections=3/50"))
    }

    @Test("statistics count peers outside backoff")
    func outsideBackoff() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        engine.addPeer(relayInfo(2), now: at(0))
        engine.failDial(2, now: at(0))
        #expect(engine.statistics(now: at(1)).outsideBackoff == 1)
        #expect(engine.statistics(now: at(1)).notConnected == 2)
        #expect(engine.statistics(now: at(121)).outsideBackoff == 2)
    }
}
