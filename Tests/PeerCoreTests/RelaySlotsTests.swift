import PeerCore
import PeerIdentity
import Testing

/// The relay slots each direction holds (dials in flight, unidentified outbound peers,
/// off-shard peers), the surplus pruning, `--max-connections` for peerd's own dials, and when
/// the loop wakes.
@Suite("Relay slots")
struct RelaySlotsTests {
    /// A dial candidate nothing is known about yet (no protocols, no ENR).
    static func unknownInfo(_ n: Int) -> PeerInfo { PeerInfo(id: peer(n), addresses: [address(n)]) }

    static func candidate(_ n: Int, joined: Int64, protected: Bool = false, offShard: Bool = false)
        -> RelaySurplus.Candidate
    {
        RelaySurplus.Candidate(peer: peer(n), joinedAt: at(joined), isProtected: protected, offShard: offShard)
    }

    // MARK: The pure plan

    @Test(
        "surplus plan: off-shard first, then youngest; protected skipped",
        arguments: [
            // (candidates, target, chosen)
            ([candidate(1, joined: 1), candidate(2, joined: 2)], 2, [Int]()),
            ([candidate(1, joined: 1), candidate(2, joined: 2), candidate(3, joined: 3)], 2, [3]),
            ([candidate(1, joined: 1), candidate(2, joined: 2), candidate(3, joined: 3, protected: true)], 1, [2, 1]),
            ([candidate(1, joined: 1), candidate(2, joined: 2), candidate(3, joined: 0, offShard: true)], 2, [3]),
            ([candidate(1, joined: 1, protected: true), candidate(2, joined: 2, protected: true)], 1, []),
            ([RelaySurplus.Candidate](), 0, []),
        ])
    func plan(candidates: [RelaySurplus.Candidate], target: Int, chosen: [Int]) {
        #expect(RelaySurplus.plan(candidates, target: target).chosen == chosen.map(peer))
    }

    // MARK: Outbound slots held before identify

    @Test("connected outbound peers without identify hold outbound slots: no second round")
    func unidentifiedOutboundCounts() throws {
        // Exactly the free slots are dialled (no oversubscription), so the count shows the slots.
        var engine = try engine { $0.dialOversubscriptionPercent = 100 }
        for n in 1...30 { engine.addPeer(Self.unknownInfo(n), now: at(0)) }
        var rng = SeededGenerator()
        let first = engine.tick(now: at(0), using: &rng)
        #expect(first.actions.dials.count == 10)
        for (index, dialled) in first.actions.dials.enumerated() {
            _ = engine.handle(
                .connectionOpened(
                    ConnectionID(UInt64(100 + index)), peer: dialled, direction: .outbound, observedAddress: nil),
                now: at(1))
        }
        engine.complete(dialsIn: first.actions, with: .succeeded, now: at(1))
        // No identify yet: they may be relay peers, so the target is held.
        let second = engine.tick(now: at(5), using: &rng)
        #expect(second.actions.dials.isEmpty)
        #expect(second.actions.reasons.contains(.outboundTargetMet))
        // Identify shows 4 of them are not relay: 4 slots free up.
        for dialled in first.actions.dials.prefix(4) {
            _ = engine.handle(.identified(peer: dialled, IdentifyInfo(protocols: [WakuCodec.store])), now: at(6))
        }
        #expect(engine.tick(now: at(7), using: &rng).actions.dials.count == 4)
    }

    @Test("a failed dial frees its slot")
    func failedDialFreesSlot() throws {
        // A round of exactly the deficit (no oversubscription): it settles after one batch.
        var engine = try engine { $0.dialOversubscriptionPercent = 100 }
        for n in 1...30 { engine.addPeer(Self.unknownInfo(n), now: at(0)) }
        var rng = SeededGenerator()
        let first = engine.tick(now: at(0), using: &rng)
        engine.complete(dialsIn: first.actions, with: .failed(reason: "refused"), now: at(1))
        // The round settled with nothing connected: the next round dials again.
        #expect(engine.tick(now: at(2), using: &rng).actions.dials.count == 10)
    }

    @Test("peerd's dials never take connected peers plus dials in flight above --max-connections")
    func maxConnections() throws {
        var engine = try engine { $0.colocationLimit = 0 }
        // 45 inbound peers of unknown kind: they hold connections but no relay slot.
        for n in 1000..<1045 { engine.open(n, direction: .inbound) }
        for n in 1...30 { engine.addPeer(Self.unknownInfo(n), now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(step.actions.dials.count == 5)
        // Their outcomes arrive: the round does not dial past the limit either.
        for (index, dialled) in step.actions.dials.enumerated() {
            _ = engine.handle(
                .connectionOpened(
                    ConnectionID(UInt64(100 + index)), peer: dialled, direction: .outbound, observedAddress: nil),
                now: at(1))
            _ = engine.handle(.identified(peer: dialled, IdentifyInfo(protocols: [WakuCodec.relay])), now: at(1))
        }
        let after = engine.complete(dialsIn: step.actions, with: .succeeded, now: at(1))
        #expect(after.dials.isEmpty)
        let next = engine.tick(now: at(3), using: &rng)
        #expect(next.actions.dials.isEmpty)
        #expect(next.actions.reasons.contains(.maxConnectionsReached))
        // Nothing can be dialled: the loop does not repeat the refusal every few seconds.
        #expect(next.nextInterval == .seconds(30))
    }

    @Test("outbound relay peers above target are pruned, youngest first, protected kept")
    func outboundSurplus() throws {
        var engine = try engine()
        // Known relay peers from discovery: they count from their connection, not from identify.
        for n in 1...13 { engine.addPeer(relayInfo(n), now: at(0)) }
        _ = engine.protect(peer(13), tag: "test")
        for n in 1...13 { engine.open(n, direction: .outbound, now: at(Int64(n))) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(20), using: &rng)
        #expect(Set(step.actions.disconnects) == [peer(12), peer(11), peer(10)])
        let decision = try #require(step.actions.decisions.first { $0.reason == .outboundRelayPruned })
        #expect(decision.current == 13 && decision.target == 10 && decision.chosen == 3)
        // They no longer count: no further pruning.
        #expect(engine.tick(now: at(21), using: &rng).actions.disconnects.isEmpty)
    }

    @Test("identify that reveals an outbound surplus prunes at once; unidentified peers never cause it")
    func outboundSurplusAtIdentify() throws {
        var engine = try engine()
        for n in 1...10 {
            engine.open(n, direction: .outbound, now: at(Int64(n)))
            engine.identifyRelay(n, now: at(Int64(n)))
        }
        // An outbound peer of unknown kind: it holds a slot but makes no known relay peer go.
        engine.open(11, direction: .outbound, now: at(11))
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(12), using: &rng).actions.disconnects.isEmpty)
        // Identify shows it is relay: 11 of 10, the youngest goes.
        #expect(engine.identifyRelay(11, now: at(13)).disconnects == [peer(11)])
    }

    // MARK: Relay peers sharing no shard with us

    static func onCluster() throws -> PeerEngine {
        try engine {
            $0.clusterID = 1
            $0.shards = [0]
            $0.requestMetadataOnJoin = false
            $0.colocationLimit = 0
        }
    }

    @Test("a relay peer sharing no shard with us stays connected but holds no relay slot")
    func offShardNotCounted() throws {
        var engine = try Self.onCluster()
        for n in 1...9 {
            engine.open(n, direction: .outbound)
            engine.identifyRelay(n)
        }
        engine.open(50, direction: .outbound)
        engine.identifyRelay(50)
        _ = engine.handle(.metadata(peer: peer(50), .received(clusterID: 1, shards: [5])), now: at(0))
        #expect(engine.statistics(now: at(0)).outboundRelay == 9)
        engine.addPeer(relayInfo(60), now: at(0))
        var rng = SeededGenerator()
        let step = engine.tick(now: at(1), using: &rng)
        #expect(step.actions.disconnects.isEmpty)  // kept while there is room
        #expect(step.actions.dials == [peer(60)])  // and the slot it does not hold is filled
        engine.open(60, direction: .outbound, now: at(2))
        engine.complete(dialsIn: step.actions, with: .succeeded, now: at(2))
        // Now 11 relay peers for 10 slots: the off-shard one goes first, although it is older.
        #expect(engine.tick(now: at(3), using: &rng).actions.disconnects == [peer(50)])
    }

    @Test("inbound: an off-shard relay peer goes first when the slots are full")
    func offShardInbound() throws {
        var engine = try Self.onCluster()
        engine.open(50, direction: .inbound, now: at(0))
        engine.identifyRelay(50)
        _ = engine.handle(.metadata(peer: peer(50), .received(clusterID: 1, shards: [5])), now: at(0))
        for n in 1...20 {
            engine.open(n, direction: .inbound, now: at(Int64(n)))
            engine.identifyRelay(n, now: at(Int64(n)))
        }
        #expect(engine.statistics(now: at(30)).inboundRelay == 20)
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(30), using: &rng).actions.disconnects == [peer(50)])
    }

    // MARK: When the loop wakes

    @Test("the next round is timed from the round's outcomes, not from its start")
    func intervalAfterOutcomes() throws {
        var engine = try engine()
        for n in 1...5 { engine.addPeer(relayInfo(n), now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(step.actions.dials.count == 5)
        // While the dials are in flight the loop waits for them (at most until they are overdue).
        #expect(engine.nextWake(now: at(0)) == at(15))  // dial timeout 10 s + grace 5 s
        for n in 1...5 { engine.open(n, direction: .outbound, now: at(2)) }
        engine.complete(dialsIn: step.actions, with: .succeeded, now: at(2))
        // 5 of 10 outbound: half of 30 s, from when the round settled.
        #expect(engine.nextWake(now: at(2)) == at(17))
        #expect(engine.roundsSettled == 1)
    }

    @Test("the loop wakes when a backed-off candidate becomes redialable")
    func wakesForRedial() throws {
        var engine = try engine { $0.initialBackoff = .milliseconds(2500) }
        for n in 1...9 {
            engine.open(n, direction: .outbound)
            engine.identifyRelay(n)
        }
        engine.addPeer(relayInfo(20), now: at(0))
        engine.failDial(20, now: at(0))
        var rng = SeededGenerator()
        _ = engine.tick(now: at(1), using: &rng)
        // 9 of 10: the round is 27 s away, the redial 2.5 s after the failure.
        #expect(engine.nextWake(now: at(1)) == at(0) + .milliseconds(2500))
        #expect(engine.tick(now: at(0) + .milliseconds(2500), using: &rng).actions.dials == [peer(20)])
    }

    @Test("a peer a client asked for with Connect is not pruned as a surplus")
    func requestedPeerKept() throws {
        var engine = try engine()
        for n in 1...11 { engine.addPeer(relayInfo(n), now: at(0)) }
        for n in 1...10 { engine.open(n, direction: .outbound, now: at(Int64(n))) }
        let connect = engine.connect(peer(11), now: at(11))
        engine.open(11, direction: .outbound, now: at(11))
        engine.complete(dialsIn: connect, with: .succeeded, now: at(11))
        var rng = SeededGenerator()
        // 11 of 10: the youngest the loop dialled goes, not the one asked for.
        #expect(engine.tick(now: at(12), using: &rng).actions.disconnects == [peer(10)])
    }
}
