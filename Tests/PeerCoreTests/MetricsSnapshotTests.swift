import PeerCore
import PeerIdentity
import Testing

@Suite("Metrics snapshot")
struct MetricsSnapshotTests {
    /// Peer 1 dialled us (relay and store, shard 0), we dialled peer 2 (relay, shards 0 and 1),
    /// peer 3 is stored but not connected, peer 5 holds the store slot.
    static func smallEngine() throws -> PeerEngine {
        var engine = try engine {
            $0.clusterID = 1
            $0.shards = [0, 1]
            $0.requestMetadataOnJoin = false
        }
        _ = engine.addPeer(relayInfo(1, shards: [0]), now: at(0))
        engine.open(1, direction: .inbound)
        _ = engine.handle(
            .identified(
                peer: peer(1), IdentifyInfo(protocols: [WakuCodec.relay, WakuCodec.store], agent: "nwaku/v0.36.0")),
            now: at(0))
        _ = engine.handle(.streamOpened(peer: peer(1), protocolID: WakuCodec.relay, direction: .inbound), now: at(0))
        _ = engine.handle(.streamOpened(peer: peer(1), protocolID: WakuCodec.store, direction: .outbound), now: at(0))
        _ = engine.addPeer(relayInfo(2, shards: [0, 1]), now: at(0))
        engine.open(2, direction: .outbound)
        _ = engine.handle(
            .identified(peer: peer(2), IdentifyInfo(protocols: [WakuCodec.relay], agent: "go-waku/0.9")), now: at(0))
        _ = engine.handle(.streamOpened(peer: peer(2), protocolID: WakuCodec.relay, direction: .outbound), now: at(0))
        _ = engine.handle(.streamOpened(peer: peer(2), protocolID: WakuCodec.relay, direction: .inbound), now: at(0))
        _ = engine.addPeer(relayInfo(3, shards: [1]), now: at(0))
        _ = engine.addServicePeer(
            PeerInfo(id: peer(5), addresses: [address(5)], protocols: [WakuCodec.store]), protocolID: WakuCodec.store,
            now: at(0))
        return engine
    }

    @Test("Counts per protocol, shard, agent and service slot, beside the engine statistics")
    func counts() throws {
        let engine = try Self.smallEngine()
        let snapshot = engine.metricsSnapshot(now: at(1))
        #expect(snapshot.statistics == engine.statistics(now: at(1)))
        #expect(snapshot.statistics.storeSize == 4)
        #expect(snapshot.statistics.connectedPeers == 2)
        #expect(snapshot.statistics.notConnected == 2)
        #expect(
            snapshot.peersPerProtocol == [
                WakuCodec.relay: .init(inbound: 1, outbound: 1), WakuCodec.store: .init(inbound: 1, outbound: 0),
            ])
        #expect(
            snapshot.streamsPerProtocol == [
                WakuCodec.relay: .init(inbound: 2, outbound: 1), WakuCodec.store: .init(inbound: 0, outbound: 1),
            ])
        #expect(snapshot.peersPerShard == [0: 2, 1: 1])
        #expect(snapshot.peersPerAgent == ["nwaku/v0.36.0": 1, "go-waku/0.9": 1])
        #expect(snapshot.servicePeers == [WakuCodec.store: [peer(5)]])
    }

    @Test("An empty engine: listed protocols absent, configured shards at zero")
    func empty() throws {
        let engine = try engine {
            $0.clusterID = 1
            $0.shards = [3]
        }
        let snapshot = engine.metricsSnapshot(now: at(0))
        #expect(snapshot.peersPerProtocol.isEmpty && snapshot.streamsPerProtocol.isEmpty)
        #expect(snapshot.peersPerShard == [3: 0])
        #expect(snapshot.peersPerAgent.isEmpty && snapshot.servicePeers.isEmpty)
    }
}
