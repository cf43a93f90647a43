import PeerCore
import PeerIdentity
import Testing

@Suite("Sharded peer management")
struct ShardedConnectivityTests {
    static func sharded(shards: [UInt16], cluster: UInt16 = 0) throws -> PeerEngine {
        try engine {
            $0.clusterID = cluster
            $0.shards = shards
            $0.shardedPeerManagement = true
            $0.requestMetadataOnJoin = false
        }
    }

    @Test("Connects to all peers supporting a protocol (sharded)")
    func connectsAll() throws {
        var engine = try Self.sharded(shards: [0])
        for n in 1...3 { engine.addPeer(relayInfo(n, shards: [0], cluster: 0), now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(Set(step.actions.dials) == [peer(1), peer(2), peer(3)])
        for n in 1...3 { engine.open(n, direction: .outbound) }
        engine.complete(dialsIn: step.actions, with: .succeeded, now: at(1))
        for n in 1...3 { #expect(engine.connectedness(n) == .connected) }
    }

    @Test("only relay-capable peers of our shards are dialled")
    func filters() throws {
        var engine = try Self.sharded(shards: [0])
        engine.addPeer(relayInfo(1, shards: [0], cluster: 0), now: at(0))
        engine.addPeer(relayInfo(2, shards: [1], cluster: 0), now: at(0))  // other shard
        engine.addPeer(relayInfo(3, shards: [0], cluster: 7), now: at(0))  // other cluster
        var storeOnly = relayInfo(4, shards: [0], cluster: 0)
        storeOnly.protocols = [WakuCodec.store]
        storeOnly.enr?.capabilities = [.store]
        engine.addPeer(storeOnly, now: at(0))
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(0), using: &rng).actions.dials == [peer(1)])
    }

    @Test("per-shard targets never reach 0 with many shards (nwaku divides to 0)")
    func manyShards() throws {
        // Out target 10 over 64 shards: nwaku's target is 0 and nothing is ever dialled.
        var engine = try Self.sharded(shards: Array(0..<64))
        for n in 1...64 { engine.addPeer(relayInfo(n, shards: [UInt16(n - 1)], cluster: 0), now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(step.actions.dials.count == 10)  // one batch; the rest follow as outcomes arrive
        #expect(step.actions.decisions.filter { $0.reason == .shardOutboundFill }.count == 64)
    }

    @Test("a shard at target gets no dials")
    func shardAtTarget() throws {
        // Out target 10 over 2 shards: 5 each.
        var engine = try Self.sharded(shards: [0, 1])
        for n in 1...5 {
            engine.addPeer(relayInfo(n, shards: [0], cluster: 0), now: at(0))
            engine.open(n, direction: .outbound)
        }
        for n in 10...12 { engine.addPeer(relayInfo(n, shards: [0, 1], cluster: 0), now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        // Shard 0 is full; shard 1 needs 5 and can have 10, 11, 12.
        #expect(Set(step.actions.dials) == [peer(10), peer(11), peer(12)])
    }

    @Test("excess inbound relay peers of a shard are pruned")
    func shardInbound() throws {
        // In target 20 over 2 shards: 10 each.
        var engine = try Self.sharded(shards: [0, 1])
        for n in 1...12 {
            engine.addPeer(relayInfo(n, shards: [0], cluster: 0), now: at(0))
            engine.protect(peer(n), tag: "setup")
            engine.open(n, direction: .inbound, now: at(Int64(n)))
            engine.unprotect(peer(n), tag: "setup", now: at(Int64(n)))
        }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(20), using: &rng)
        #expect(Set(step.actions.disconnects) == [peer(11), peer(12)])
        #expect(step.actions.reasons.contains(.shardInboundPruned))
    }

    @Test("the second batch follows the per-shard targets, not the global outbound target")
    func secondBatchPerShard() throws {
        // Out target 10 over 20 shards: 1 each, 20 in all, two batches of 10.
        var engine = try Self.sharded(shards: Array(0..<20))
        for n in 1...20 { engine.addPeer(relayInfo(n, shards: [UInt16(n - 1)], cluster: 0), now: at(0)) }
        var rng = SeededGenerator()
        let first = engine.tick(now: at(0), using: &rng)
        #expect(first.actions.dials.count == 10)
        for (index, dialled) in first.actions.dials.enumerated() {
            _ = engine.handle(
                .connectionOpened(
                    ConnectionID(UInt64(1000 + index)), peer: dialled, direction: .outbound, observedAddress: nil),
                now: at(1))
        }
        let second = engine.complete(dialsIn: first.actions, with: .succeeded, now: at(1))
        #expect(second.dials.count == 10)
        #expect(Set(second.dials).isDisjoint(with: first.actions.dials))
        // All 20 connect and identify: over the global target, but each shard is at its own.
        var actions: [EngineAction] = []
        for (index, dialled) in second.dials.enumerated() {
            actions += engine.handle(
                .connectionOpened(
                    ConnectionID(UInt64(2000 + index)), peer: dialled, direction: .outbound, observedAddress: nil),
                now: at(2))
        }
        actions += engine.complete(dialsIn: second, with: .succeeded, now: at(2))
        for dialled in first.actions.dials + second.dials {
            actions += engine.handle(.identified(peer: dialled, IdentifyInfo(protocols: [WakuCodec.relay])), now: at(2))
        }
        actions += engine.tick(now: at(3), using: &rng).actions
        #expect(actions.disconnects.isEmpty)
    }

    @Test("sharded: a relay peer on none of our shards goes while a direction is over its global target")
    func offShardPruned() throws {
        var engine = try Self.sharded(shards: [0])
        // 20 inbound relay peers on shard 0 (the global inbound target), one on shard 5.
        for n in 1...21 {
            engine.addPeer(relayInfo(n, shards: [n == 21 ? 5 : 0], cluster: 0), now: at(0))
            _ = engine.protect(peer(n), tag: "setup")
            engine.open(n, direction: .inbound, now: at(Int64(n)))
            _ = engine.unprotect(peer(n), tag: "setup", now: at(Int64(n)))
        }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(30), using: &rng)
        #expect(step.actions.disconnects.contains(peer(21)))
    }
}
