import PeerCore
import PeerIdentity
import Testing

@Suite("Selection")
struct SelectionTests {
    @Test("selectPeer() returns the correct peer")
    func selectPeer() throws {
        var engine = try engine()
        var rng = SeededGenerator()
        engine.addPeer(
            PeerInfo(
                id: peer(1), addresses: [address(1)],
                protocols: [WakuCodec.relay, WakuCodec.store, WakuCodec.filterSubscribe]),
            now: at(0))
        #expect(engine.selectPeer(protocolID: WakuCodec.store, using: &rng)?.id == peer(1))
        #expect(engine.selectPeer(protocolID: WakuCodec.filterSubscribe, using: &rng)?.id == peer(1))
        #expect(engine.selectPeer(protocolID: WakuCodec.lightpush, using: &rng) == nil)

        engine.addServicePeer(PeerInfo(id: peer(2), addresses: [address(2)]), protocolID: WakuCodec.store, now: at(0))
        engine.addServicePeer(
            PeerInfo(id: peer(3), addresses: [address(3)]), protocolID: WakuCodec.lightpush, now: at(0))
        for _ in 0..<20 {
            #expect(engine.selectPeer(protocolID: WakuCodec.store, using: &rng)?.id == peer(2))
            #expect(engine.selectPeer(protocolID: WakuCodec.lightpush, using: &rng)?.id == peer(3))
        }
    }

    @Test("Retrieve peer that mounted peer exchange")
    func peerExchange() throws {
        var engine = try engine()
        engine.open(1, direction: .outbound)
        _ = engine.handle(
            .identified(peer: peer(1), IdentifyInfo(protocols: [WakuCodec.relay, WakuCodec.peerExchange])), now: at(0))
        var rng = SeededGenerator()
        #expect(engine.selectPeer(protocolID: WakuCodec.relay, using: &rng)?.id == peer(1))
        #expect(engine.selectPeer(protocolID: WakuCodec.peerExchange, using: &rng)?.id == peer(1))
    }

    @Test("relay selection is random")
    func relayRandom() throws {
        var engine = try engine()
        for n in 1...4 { engine.addPeer(relayInfo(n), now: at(0)) }
        var rng = SeededGenerator()
        var seen: Set<PeerID> = []
        for _ in 0..<100 { seen.insert(try #require(engine.selectPeer(protocolID: WakuCodec.relay, using: &rng)).id) }
        #expect(seen.count == 4)
    }

    static func shardedStore() throws -> PeerEngine {
        var engine = try engine()
        var zero = relayInfo(1, shards: [0], cluster: 1)
        zero.protocols.append(WakuCodec.lightpush)
        var one = relayInfo(2, shards: [1], cluster: 1)
        one.protocols.append(WakuCodec.lightpush)
        engine.addPeer(zero, now: at(0))
        engine.addPeer(one, now: at(0))
        return engine
    }

    @Test("selectPeer filters by shard using the ENR", arguments: [(UInt16(0), 1), (1, 2)])
    func shardByENR(shard: UInt16, expected: Int) throws {
        let engine = try Self.shardedStore()
        var rng = SeededGenerator()
        for _ in 0..<20 {
            #expect(
                engine.selectPeer(protocolID: WakuCodec.lightpush, pubsubTopic: "/waku/2/rs/1/\(shard)", using: &rng)?
                    .id == peer(expected))
        }
        #expect(
            engine.selectPeers(protocolID: WakuCodec.lightpush, pubsubTopic: "/waku/2/rs/1/\(shard)", using: &rng).map(
                \.id) == [peer(expected)])
        #expect(engine.selectPeer(protocolID: WakuCodec.lightpush, pubsubTopic: "/waku/2/rs/1/5", using: &rng) == nil)
        #expect(
            engine.selectPeer(protocolID: WakuCodec.lightpush, pubsubTopic: "/waku/2/rs/2/\(shard)", using: &rng) == nil
        )
    }

    @Test("selectPeer filters by shard using the shards field (metadata)", arguments: [(UInt16(0), 1), (1, 2)])
    func shardByMetadata(shard: UInt16, expected: Int) throws {
        var engine = try engine {
            $0.clusterID = 1
            $0.requestMetadataOnJoin = false
        }
        for (n, shard) in [(1, UInt16(0)), (2, 1)] {
            engine.open(n, direction: .outbound)
            _ = engine.handle(.identified(peer: peer(n), IdentifyInfo(protocols: [WakuCodec.store])), now: at(0))
            _ = engine.handle(.metadata(peer: peer(n), .received(clusterID: 1, shards: [shard])), now: at(0))
        }
        var rng = SeededGenerator()
        #expect(
            engine.selectPeer(
                protocolID: WakuCodec.store, shard: RelayShard(clusterID: 1, shardID: shard), using: &rng)?.id
                == peer(expected))
    }

    @Test("ENR vs shards field: either one qualifies")
    func enrOrMetadata() throws {
        var engine = try engine {
            $0.clusterID = 1
            $0.requestMetadataOnJoin = false
        }
        var info = relayInfo(1, shards: [0], cluster: 1)
        info.protocols = [WakuCodec.store]
        engine.addPeer(info, now: at(0))
        engine.open(1, direction: .outbound)
        _ = engine.handle(.metadata(peer: peer(1), .received(clusterID: 1, shards: [1])), now: at(0))
        var rng = SeededGenerator()
        for shard: UInt16 in [0, 1] {
            #expect(
                engine.selectPeer(protocolID: WakuCodec.store, pubsubTopic: "/waku/2/rs/1/\(shard)", using: &rng)?.id
                    == peer(1))
        }
    }

    @Test(
        "handles invalid pubsub topic",
        arguments: [
            "invalid-topic", "/waku/2/invalid", "/waku/2/rs/abc/0", "", "/waku/2/rs/1/1024", "/waku/2/rs/1/0/extra",
            "/waku/2/rs/70000/1",
        ])
    func invalidTopic(topic: String) throws {
        let engine = try Self.shardedStore()
        var rng = SeededGenerator()
        #expect(RelayShard(topic: topic) == nil)
        #expect(engine.selectPeer(protocolID: WakuCodec.lightpush, pubsubTopic: topic, using: &rng) == nil)
        #expect(engine.selectPeers(protocolID: WakuCodec.lightpush, pubsubTopic: topic, using: &rng).isEmpty)
    }

    @Test(
        "topic parsing",
        arguments: [
            ("/waku/2/rs/22/1", UInt16(22), UInt16(1)), ("/waku/2/rs/0/1023", 0, 1023),
            ("/waku/2/rs/65535/0", 65535, 0),
        ])
    func topicParsing(topic: String, cluster: UInt16, shard: UInt16) throws {
        let parsed = try #require(RelayShard(topic: topic))
        #expect(parsed == RelayShard(clusterID: cluster, shardID: shard))
        #expect(parsed.description == topic)
    }

    @Test("a service-slot peer on the wrong shard is not returned (nwaku returns it)")
    func slotWrongShard() throws {
        var engine = try Self.shardedStore()
        engine.addServicePeer(relayInfo(3, shards: [5], cluster: 1), protocolID: WakuCodec.lightpush, now: at(0))
        var rng = SeededGenerator()
        #expect(
            engine.selectPeer(protocolID: WakuCodec.lightpush, pubsubTopic: "/waku/2/rs/1/0", using: &rng)?.id
                == peer(1))
        #expect(
            engine.selectPeer(protocolID: WakuCodec.lightpush, pubsubTopic: "/waku/2/rs/1/5", using: &rng)?.id
                == peer(3))
        #expect(engine.selectPeer(protocolID: WakuCodec.lightpush, using: &rng)?.id == peer(3))
    }

    @Test("selectPeers: slot peers first, distinct, limited")
    func selectPeers() throws {
        var engine = try engine()
        for n in 1...10 {
            engine.addPeer(PeerInfo(id: peer(n), addresses: [address(n)], protocols: [WakuCodec.store]), now: at(0))
        }
        engine.addServicePeer(PeerInfo(id: peer(7), addresses: [address(7)]), protocolID: WakuCodec.store, now: at(0))
        var rng = SeededGenerator()
        let all = engine.selectPeers(protocolID: WakuCodec.store, using: &rng).map(\.id)
        #expect(all.first == peer(7))
        #expect(Set(all).count == 10)
        #expect(all.count == 10)
        let three = engine.selectPeers(protocolID: WakuCodec.store, limit: 3, using: &rng).map(\.id)
        #expect(three.count == 3)
        #expect(three.first == peer(7))
        #expect(Set(three).count == 3)
        #expect(engine.selectPeers(protocolID: WakuCodec.store, limit: 0, using: &rng).isEmpty)
    }

    @Test("a sparse protocol-shard intersection is still found")
    func sparseIntersection() throws {
        var engine = try engine()
        for n in 1...500 { engine.addPeer(relayInfo(n, shards: [0], cluster: 1), now: at(0)) }
        var lone = relayInfo(501, shards: [0], cluster: 1)
        lone.protocols.append(WakuCodec.store)
        engine.addPeer(lone, now: at(0))
        for n in 502...1000 {
            engine.addPeer(PeerInfo(id: peer(n), addresses: [address(n)], protocols: [WakuCodec.store]), now: at(0))
        }
        var rng = SeededGenerator()
        #expect(
            engine.selectPeer(protocolID: WakuCodec.store, pubsubTopic: "/waku/2/rs/1/0", using: &rng)?.id == peer(501))
    }

    @Test("selectPeers samples a few distinct peers from a large index")
    func sampling() throws {
        var engine = try engine()
        for n in 1...2000 {
            var info = relayInfo(n, shards: [UInt16(n % 2)], cluster: 1)
            if n % 4 == 0 { info.protocols.append(WakuCodec.store) }
            engine.addPeer(info, now: at(0))
        }
        var rng = SeededGenerator()
        let shard = RelayShard(clusterID: 1, shardID: 0)
        for _ in 0..<50 {
            let picked = engine.selectPeers(protocolID: WakuCodec.store, shard: shard, limit: 10, using: &rng)
            #expect(picked.count == 10)
            #expect(Set(picked.map(\.id)).count == 10)
            #expect(picked.allSatisfy { $0.protocols.contains(WakuCodec.store) && $0.serves(shard) })
        }
        let relay = engine.selectPeers(protocolID: WakuCodec.relay, limit: 5, using: &rng)
        #expect(Set(relay.map(\.id)).count == 5)
    }
}
