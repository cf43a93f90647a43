import PeerCore
import PeerIdentity
import Testing

@Suite("Shard coverage: oversubscribed picks (pure)")
struct ShardCoveragePickTests {
    @Test(
        "pick: each short shard misses its peers times the percentage, rounded up",
        arguments: [
            // (needs, percent, picked): candidates [1] x 6 then [1, 2] x 2 then [2] x 6.
            ([(UInt16(1), 1)], 100, [0]),
            ([(UInt16(1), 1)], 300, [0, 1, 2]),
            ([(UInt16(1), 2)], 150, [0, 1, 2]),
            // [1, 2] counts on both shards: shard 1 is full after [0, 1], shard 2 after two [1, 2].
            ([(UInt16(1), 1), (UInt16(2), 1)], 200, [0, 1, 6, 7]),
            ([(UInt16(2), 2)], 300, [6, 7, 8, 9, 10, 11]),
            ([(UInt16(3), 2)], 300, []),
        ])
    func oversubscribedPick(needs: [(UInt16, Int)], percent: Int, expected: [Int]) {
        let candidates: [[UInt16]] =
            Array(repeating: [1], count: 6) + [[1, 2], [1, 2]] + Array(repeating: [2], count: 6)
        let picked = ShardCoverage.pick(candidates, needs: needs.map { (shard: $0.0, missing: $0.1) }, percent: percent)
        #expect(picked == expected)
    }
}

@Suite("Shard coverage: peers that may go together (pure)")
struct ShardCoverageSpareTests {
    @Test(
        "spareable: in order, each peer that goes lowers its shards for the next",
        arguments: [
            // Shard 0 at 5, shard 1 at 4 (the floor), shard 2 at 6.
            ([[UInt16(0)], [0]], [0]),
            ([[UInt16(2)], [2], [2]], [0, 1]),
            ([[UInt16(1)], [0]], [1]),
            ([[UInt16(0), 2], [2], [0]], [0, 1]),
            ([[], [UInt16(9)]], [0, 1]),
            ([[UInt16]](), []),
        ])
    func spareable(chosen: [[UInt16]], expected: [Int]) {
        #expect(ShardCoverage.spareable(chosen, counts: [0: 5, 1: 4, 2: 6], floor: 4) == expected)
    }

    @Test("a surplus prune never takes two peers a shard one above the floor needs one of")
    func pruneKeepsFloor() throws {
        // 12 outbound on shard 0 and 5 outbound on shard 1 over a target of 10 (max-connections
        // 30, relay only): the 2 youngest are shard 1's, and only one of them may go.
        var engine = try ShardCoverageUrgencyTests().covered()
        for n in 1...12 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound, now: at(1))
        }
        for n in 13...17 {
            engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound, now: at(Int64(n)))
        }
        var rng = SeededGenerator()
        let disconnects = engine.tick(now: at(20), using: &rng).actions.disconnects
        #expect(disconnects.filter { (13...17).map(peer).contains($0) }.count <= 1)
        // Pending disconnects no longer count: shard 1 keeps its floor.
        #expect(engine.shardCoverageCensus(now: at(20))[1]?.connected == 4)
    }
}

@Suite("Shard coverage: urgency (engine)")
struct ShardCoverageUrgencyTests {
    /// Relay peers only (so max-connections 30 is 10 outbound and 20 inbound relay slots), and no
    /// metadata requests (their expiry would cut the peers the test holds).
    func covered(oversubscription: Int = 100, maxConnections: Int = 30) throws -> PeerEngine {
        try engine {
            $0.clusterID = 1
            $0.shards = [0, 1]
            $0.shardCoverageFloor = 4
            $0.dialOversubscriptionPercent = oversubscription
            $0.maxConnections = maxConnections
            $0.relayServiceRatio = "100:0"
            $0.requestMetadataOnJoin = false
        }
    }

    /// 10 outbound relay peers on shard 0 (the outbound target at 50 connections) and
    /// `inbound` inbound relay peers on shard 0, joined in order.
    func atTarget(_ engine: inout PeerEngine, inbound: Int = 0) {
        for n in 1...10 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        guard inbound > 0 else { return }
        for n in 21..<(21 + inbound) {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, now: at(Int64(n)))
        }
    }

    @Test("a short shard dials its missing peers times the oversubscription")
    func oversubscribedFill() throws {
        var engine = try covered(oversubscription: 300)
        atTarget(&engine)
        for n in 101...120 { engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0)) }
        var rng = SeededGenerator()
        let dials = engine.tick(now: at(1), using: &rng).actions.dials
        #expect(dials.count == 12)
        #expect(dials.allSatisfy { (101...120).map(peer).contains($0) })
    }

    @Test("at max-connections a short shard's dial takes the place of the youngest inbound peer no shard needs")
    func makesRoom() throws {
        // 30 connections: 10 out + 20 in relay on shard 0 fill max-connections.
        var engine = try covered()
        atTarget(&engine, inbound: 20)
        engine.addPeer(relayInfo(101, shards: [1]), origin: .discv5, now: at(50))
        var rng = SeededGenerator()
        let actions = engine.tick(now: at(60), using: &rng).actions
        #expect(actions.disconnects == [peer(40)])
        #expect(actions.dials == [peer(101)])
        let pruned = try #require(actions.decisions.first { $0.reason == .shardInboundPruned })
        #expect(pruned.peers == [peer(40)])
        #expect(!actions.reasons.contains(.maxConnectionsReached))
    }

    @Test("at max-connections, no place is taken from a peer a shard needs")
    func keepsScarce() throws {
        // Max-connections 8 (2 outbound, 6 inbound relay slots): shard 0 at the floor (2 out,
        // 2 in), shard 1 short (3 in), and a peer of unknown protocols: every relay peer is one
        // its shard needs.
        var engine = try covered(maxConnections: 8)
        for n in 1...2 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        for (n, shard) in [(21, 0), (22, 0), (23, 1), (24, 1), (25, 1)] {
            engine.addPeer(relayInfo(n, shards: [UInt16(shard)]), origin: .discv5, now: at(0))
            engine.open(n, now: at(Int64(n)))
        }
        engine.open(30, now: at(30))
        engine.addPeer(relayInfo(101, shards: [1]), origin: .discv5, now: at(31))
        var rng = SeededGenerator()
        let step = engine.tick(now: at(32), using: &rng)
        let actions = step.actions
        // Nothing could be dialled: the loop keeps its pace instead of repeating this every second.
        #expect(step.nextInterval > .seconds(1))
        #expect(actions.disconnects.isEmpty)
        #expect(actions.dials.isEmpty)
        #expect(actions.reasons.contains(.maxConnectionsReached))
    }

    @Test("a short shard with candidates runs the loop at its shortest interval; without any, at the normal one")
    func shortInterval() throws {
        var engine = try covered()
        atTarget(&engine)
        var rng = SeededGenerator()
        // Shard 1 short with no candidate: the dynamic interval (30 s at target).
        #expect(engine.tick(now: at(1), using: &rng).nextInterval == .seconds(30))
        engine.addPeer(relayInfo(101, shards: [1]), origin: .discv5, now: at(2))
        let step = engine.tick(now: at(3), using: &rng)
        #expect(step.actions.dials == [peer(101)])
        #expect(step.nextInterval == engine.configuration.minimumConnectivityInterval)
        // The dial fails: the round settles and the next step is due a second later, not 30 s.
        engine.complete(dialsIn: step.actions, with: .failed(reason: "unreachable"), now: at(4))
        #expect(engine.nextWake(now: at(4)) == at(5))
    }

    @Test("a relay peer leaving a shard below the floor wakes the loop now; one the shard can spare does not")
    func lossWakes() throws {
        var engine = try covered()
        atTarget(&engine)
        for n in 11...15 {
            engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        var rng = SeededGenerator()
        _ = engine.tick(now: at(1), using: &rng)
        #expect(engine.nextWake(now: at(2)) > at(10))
        // Shard 1 has 5: losing one leaves 4, the floor.
        var settled = engine.roundsSettled
        engine.close(15, now: at(2))
        #expect(engine.roundsSettled == settled)
        #expect(engine.nextWake(now: at(2)) > at(10))
        // Losing another leaves 3: the server is signalled and the step is due now.
        settled = engine.roundsSettled
        engine.close(14, now: at(3))
        #expect(engine.roundsSettled == settled &+ 1)
        #expect(engine.nextWake(now: at(3)) == at(3))
    }

    @Test("the census: connected, dialled, connectable and waiting peers of each subscribed shard")
    func census() throws {
        var engine = try covered()
        atTarget(&engine)
        for n in 101...103 { engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0)) }
        engine.failDial(103, now: at(0))
        _ = engine.connect(peer(102), now: at(1))
        let census = engine.shardCoverageCensus(now: at(1))
        #expect(census[0] == ShardCoverageCensus(connected: 10))
        #expect(census[1] == ShardCoverageCensus(connected: 0, dialling: 1, connectable: 1, waiting: 1))
    }
}
