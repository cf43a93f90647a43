import PeerCore
import PeerIdentity
import Testing

struct PruneScenario: Sendable, CustomStringConvertible {
    var description: String
    /// Connected peers besides the subject (never prunable).
    var fillers: Int
    var subjectConnected = false
    var subjectConnectedness: Connectedness = .notConnected
    var subjectFailures = 0
    var subjectShards: [UInt16]?
    var removed: Bool

    /// nwaku's pruning tests, at capacity 8 (capacity cannot be below maxConnections here).
    static let nwaku: [PruneScenario] = [
        PruneScenario(description: "Capacity not exceeded", fillers: 7, removed: false),
        PruneScenario(
            description: "Capacity not exceeded, but the peer is unhealthy", fillers: 7,
            subjectConnectedness: .cannotConnect,
            removed: false),
        PruneScenario(
            description: "Capacity exceeded but all healthy", fillers: 8, subjectConnected: true, removed: false),
        PruneScenario(
            description: "Failed connections (not connected)", fillers: 8, subjectConnectedness: .cannotConnect,
            subjectFailures: 1,
            removed: true),
        PruneScenario(description: "Shardless", fillers: 8, subjectConnectedness: .cannotConnect, removed: true),
        PruneScenario(
            description: "Higher than avg shard count", fillers: 8, subjectConnectedness: .cannotConnect,
            subjectShards: [0],
            removed: true),
    ]
}

@Suite("Peer-store pruning")
struct PruningTests {
    static func small(maxFailedAttempts: Int = 1) throws -> PeerEngine {
        try engine {
            $0.maxConnections = 8
            $0.relayServiceRatio = "100:0"
            $0.peerStoreCapacity = 8
            $0.maxFailedAttempts = maxFailedAttempts
        }
    }

    @Test("nwaku pruning scenarios", arguments: PruneScenario.nwaku)
    func scenarios(_ scenario: PruneScenario) throws {
        var engine = try Self.small()
        for n in 100..<(100 + scenario.fillers) { engine.open(n) }
        let subject = PeerRecord(
            id: peer(1), addresses: [address(1)], protocols: [WakuCodec.relay],
            enr: scenario.subjectShards.map {
                PeerENRInfo(sequence: 1, text: "enr:-s", relayShards: RelayShards(clusterID: 1, shardIDs: $0))
            }, connectedness: scenario.subjectConnectedness, failedAttempts: scenario.subjectFailures)
        // Capacity holds at insert: an import over capacity is pruned by the same rules at once.
        var actions = engine.importSnapshot(PeerSnapshot(peers: [subject]), now: at(0))
        if scenario.subjectConnected { engine.open(1) }
        var rng = SeededGenerator()
        actions += engine.prune(now: at(1), using: &rng)
        #expect(engine.store.contains(peer(1)) == !scenario.removed)
        #expect(engine.store.count <= max(8, engine.store.connectedPeers().count))
        if scenario.removed {
            #expect(actions.decisions.first { $0.reason == .storePruned }?.peers == [peer(1)])
        }
    }

    @Test("a connected peer with many failures is not pruned (nwaku prunes it)")
    func connectedFailedKept() throws {
        var engine = try Self.small()
        engine.addPeer(relayInfo(1), now: at(0))
        engine.failDial(1, now: at(0))  // 1 failure = maxFailedAttempts
        engine.open(1, direction: .inbound, now: at(1))  // inbound: failures stay
        // Connected peers are stored over capacity: the connections exist.
        for n in 100..<108 { engine.open(n) }
        #expect(engine.record(1)?.failedAttempts == 1)
        var rng = SeededGenerator()
        let actions = engine.prune(now: at(2), using: &rng)
        #expect(engine.store.contains(peer(1)))
        #expect(actions.decisions.first?.detail.contains("1 over capacity are connected or protected") == true)
    }

    @Test("prunePeerStore() removes peers to match quota")
    func matchQuota() throws {
        var engine = try engine {
            $0.maxConnections = 20
            $0.peerStoreCapacity = 25
            $0.maxFailedAttempts = 1
        }
        let records = (1...30).map {
            PeerRecord(id: peer($0), addresses: [address($0)], failedAttempts: $0 <= 5 ? 2 : 0)
        }
        // Capacity holds at insert: the import is pruned at once.
        let imported = engine.importSnapshot(PeerSnapshot(peers: records), now: at(0))
        for n in 6...11 { engine.open(n) }
        let decision = try #require(imported.decisions.first { $0.reason != .snapshotImported })
        #expect(engine.store.count == 25)
        for n in 1...5 { #expect(!engine.store.contains(peer(n))) }
        for n in 6...11 { #expect(engine.connectedness(n) == .connected) }
        #expect(decision.reason == .storePruned)
        #expect(Set(decision.peers) == Set((1...5).map(peer)))
    }

    @Test("over-average shards lose peers, small shards keep theirs (nwaku min/inclusive-slice bug)")
    func balanced() throws {
        var engine = try Self.small()
        engine.open(100)
        engine.open(101)
        let layout: [(Int, UInt16)] = [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 1), (8, 1), (9, 2)]
        let imported = engine.importSnapshot(
            PeerSnapshot(
                peers: layout.map { n, shard in
                    PeerRecord(
                        id: peer(n), addresses: [address(n)],
                        enr: PeerENRInfo(
                            sequence: 1, text: "enr:-\(n)", relayShards: RelayShards(clusterID: 1, shardIDs: [shard])))
                }), now: at(0))
        // Capacity holds at insert: 11 would be stored, so the import is pruned at once.
        let decision = try #require(imported.decisions.first { $0.reason != .snapshotImported })
        #expect(decision.peers.count == 3)
        #expect(engine.store.count == 8)
        for n in 7...9 { #expect(engine.store.contains(peer(n))) }
        #expect(engine.store.peers(onShard: RelayShard(clusterID: 1, shardID: 0)).count == 3)
        #expect(decision.detail.contains("3 over shard average"))
    }

    @Test("protected, slotted and connected peers are never pruned")
    func exemptions() throws {
        // 10 connections at 80:20: 2 service slots; capacity 10.
        var engine = try engine {
            $0.maxConnections = 10
            $0.relayServiceRatio = "80:20"
            $0.peerStoreCapacity = 10
        }
        engine.importSnapshot(
            PeerSnapshot(peers: (1...9).map { PeerRecord(id: peer($0), addresses: [address($0)]) }), now: at(0))
        for n in 1...9 { engine.protect(peer(n), tag: "store") }
        #expect(
            engine.addServicePeer(
                PeerInfo(id: peer(11), addresses: [address(11)]), protocolID: WakuCodec.store, now: at(0)
            )
            .reasons.contains(.serviceSlotAdded))
        // At capacity with nothing evictable: a connected peer is stored anyway, a client's is refused.
        engine.open(12)
        #expect(engine.store.count == 11)
        #expect(engine.addPeer(PeerInfo(id: peer(13), addresses: [address(13)]), now: at(0)).reasons == [.storeFull])
        var rng = SeededGenerator()
        let decision = try #require(engine.prune(now: at(1), using: &rng).decisions.first)
        #expect(engine.store.count == 11)
        #expect(decision.peers.isEmpty)
        #expect(decision.detail.contains("1 over capacity are connected or protected"))
    }

    @Test("within capacity: nothing to do")
    func withinCapacity() throws {
        var engine = try Self.small()
        engine.addPeer(relayInfo(1), now: at(0))
        var rng = SeededGenerator()
        #expect(engine.prune(now: at(0), using: &rng).reasons == [.storeWithinCapacity])
    }
}
