import PeerCore
import PeerIdentity
import Testing

@Suite("Shard coverage (pure)")
struct ShardCoveragePlanTests {
    @Test("counts: each peer once on every subscribed shard it serves; unserved shards at 0")
    func counts() {
        let counts = ShardCoverage.counts([[0, 1], [1], [5], []], subscribed: [0, 1, 2])
        #expect(counts == [0: 1, 1: 2, 2: 0])
    }

    @Test("needs: shards under the floor, thinnest first, ties by shard")
    func needs() {
        let needs = ShardCoverage.needs([0: 4, 1: 2, 2: 0, 3: 2, 4: 7], floor: 4)
        #expect(needs.map(\.shard) == [2, 1, 3])
        #expect(needs.map(\.missing) == [4, 2, 2])
        #expect(ShardCoverage.needs([0: 4], floor: 4).isEmpty)
        #expect(ShardCoverage.needs([0: 0], floor: 0).isEmpty)
    }

    @Test(
        "isScarce: a peer whose departure leaves a shard under the floor",
        arguments: [
            ([UInt16](), false), ([0], true), ([1], false), ([0, 1], true), ([9], false),
        ])
    func scarce(shards: [UInt16], expected: Bool) {
        #expect(ShardCoverage.isScarce(shards, counts: [0: 4, 1: 5], floor: 4) == expected)
    }

    @Test("pick: candidates in order while their shards still miss peers, each counted on all its shards")
    func pick() {
        let candidates: [[UInt16]] = [[3], [1], [1, 2], [2], [1], [2], [2]]
        // Shard 1 misses 2, shard 2 misses 2: [1] takes one of 1; [1,2] takes the last of 1 and one
        // of 2; [2] takes the last of 2; the rest are not needed.
        #expect(ShardCoverage.pick(candidates, needs: [(1, 2), (2, 2)]) == [1, 2, 3])
        #expect(ShardCoverage.pick(candidates, needs: []).isEmpty)
        #expect(ShardCoverage.pick([[5]], needs: [(1, 1)]).isEmpty)
    }

    @Test(
        "oversubscribed: the deficit times the percentage, rounded up; never below the deficit",
        arguments: [(0, 300, 0), (1, 300, 3), (3, 300, 9), (10, 100, 10), (3, 150, 5), (4, 50, 4), (-2, 300, 0)])
    func oversubscribed(deficit: Int, percent: Int, expected: Int) {
        #expect(ShardCoverage.oversubscribed(deficit, percent: percent) == expected)
    }
}

@Suite("Dial oversubscription (plan)")
struct OversubscribedPlanTests {
    func queue(free held: Int, candidates: Int32, percent: Int) -> [Int32]? {
        var view = ConnectivityPlan.View(inboundTarget: 20, outboundRelay: held, outboundTarget: 10)
        view.dialPercent = percent
        var rng = SeededGenerator()
        let pool = CandidatePool(primary: Array(0..<candidates))
        guard case .dial(let queue, _, _) = ConnectivityPlan.make(view, pool: { pool }, using: &rng).fill else {
            return nil
        }
        return queue
    }

    @Test(
        "a round queues the free slots times the percentage, never more than the candidates",
        arguments: [(7, Int32(50), 100, 3), (7, 50, 300, 9), (0, 50, 300, 30), (7, 5, 300, 5), (9, 50, 150, 2)])
    func queued(held: Int, candidates: Int32, percent: Int, expected: Int) {
        #expect(queue(free: held, candidates: candidates, percent: percent)?.count == expected)
    }
}

@Suite("Shard coverage (engine)")
struct ShardCoverageEngineTests {
    func covered(floor: Int = 4, oversubscription: Int = 100) throws -> PeerEngine {
        try engine {
            $0.clusterID = 1
            $0.shards = [0, 1]
            $0.shardCoverageFloor = floor
            $0.dialOversubscriptionPercent = oversubscription
        }
    }

    @Test("at the outbound target, a shard under the floor is dialled for (nwaku never does)")
    func dialsForShortShard() throws {
        var engine = try covered()
        for n in 1...10 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        for n in 11...16 { engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(1), using: &rng)
        #expect(step.actions.reasons.contains(.outboundTargetMet))
        let dials = step.actions.dials
        #expect(dials.count == 4)
        #expect(dials.allSatisfy { (11...16).map(peer).contains($0) })
        let decision = try #require(step.actions.decisions.first { $0.reason == .shardOutboundFill })
        #expect(decision.detail == "shards below the floor of 4 (1 needs 4): dialing 4")
        let alarm = try #require(step.actions.decisions.first { $0.reason == .shardBelowFloor })
        #expect(
            alarm.detail == "subscribed shards below the floor of 4: 1 (0 peers); 6 connectable candidates serve them")
        #expect(alarm.current == 0 && alarm.target == 4 && alarm.available == 6)
        // The dials in flight count for the shard: the next step does not dial for it again, but
        // the alarm stays until peers are connected.
        let next = engine.tick(now: at(2), using: &rng).actions
        #expect(next.dials.isEmpty)
        #expect(next.reasons.contains(.shardBelowFloor))
    }

    @Test("the alarm says when no known candidate serves a short shard")
    func alarmWithoutCandidates() throws {
        var engine = try covered()
        for n in 1...10 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(1), using: &rng).actions
        let alarm = try #require(step.decisions.first { $0.reason == .shardBelowFloor })
        #expect(alarm.available == 0)
        #expect(alarm.detail.hasSuffix("0 connectable candidates serve them (none known: discovery must find some)"))
        #expect(step.dials.isEmpty)
    }

    @Test("the floor off: the same engine dials nothing at the target")
    func floorOff() throws {
        var engine = try covered(floor: 0)
        for n in 1...10 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        for n in 11...16 { engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0)) }
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(1), using: &rng).actions.dials.isEmpty)
    }

    @Test("over the inbound target, a newcomer its shard needs stays and a replaceable peer goes")
    func scarceNewcomerKept() throws {
        var engine = try covered()
        for n in 1...20 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, now: at(Int64(n)))
        }
        engine.addPeer(relayInfo(100, shards: [1]), origin: .discv5, now: at(30))
        let actions = engine.open(100, now: at(30))
        // The youngest shard-0 peer goes; shard 1's only peer stays.
        #expect(actions.disconnects == [peer(20)])
        #expect(actions.reasons.contains(.inboundRelayPruned))
        #expect(!actions.reasons.contains(.inboundRelayLimit))
    }

    @Test("a peer its shard cannot lose is never pruned as surplus")
    func scarceNotPruned() throws {
        var engine = try covered()
        // 21 inbound: 20 on shard 0, the youngest on shard 1 (admitted by the floor).
        for n in 1...20 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, now: at(Int64(n)))
        }
        engine.addPeer(relayInfo(100, shards: [1]), origin: .discv5, now: at(30))
        engine.open(100, now: at(30))
        var rng = SeededGenerator()
        let step = engine.tick(now: at(40), using: &rng)
        #expect(!step.actions.disconnects.contains(peer(100)))
    }

    @Test("oversubscription: a deficit of 3 at 300 % dials 9")
    func oversubscription() throws {
        var engine = try covered(floor: 0, oversubscription: 300)
        for n in 1...7 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        for n in 11...40 { engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(1), using: &rng)
        #expect(step.actions.dials.count == 9)
    }

    @Test("shards adopted from the host's hello that the floors cannot fit turn the floor off")
    func adoptedShards() throws {
        var engine = try engine { $0.shardCoverageFloor = 4 }
        _ = engine.hostAttached(selfID: me, clusterID: 1, shards: Array(0..<16), online: true, now: at(0))
        for n in 1...10 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        for n in 11...16 { engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0)) }
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(1), using: &rng).actions.dials.isEmpty)
    }

    @Test("the default floor is D_low where it fits, and off (not an error) where it does not")
    func defaultFloor() throws {
        // Shard 1 misses 4 at the default 300 % oversubscription: all 6 candidates.
        for (shards, expected) in [([UInt16]([0, 1]), 6), (Array(0..<16), 0)] {
            var engine = try engine {
                $0.clusterID = 1
                $0.shards = shards
            }
            for n in 1...10 {
                engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
                engine.open(n, direction: .outbound)
            }
            for n in 11...16 { engine.addPeer(relayInfo(n, shards: [1]), origin: .discv5, now: at(0)) }
            var rng = SeededGenerator()
            #expect(engine.tick(now: at(1), using: &rng).actions.dials.count == expected)
        }
    }

    @Test("the floors must fit in max-connections")
    func validation() {
        #expect(throws: ConfigurationError.self) {
            try engine {
                $0.clusterID = 1
                $0.shards = Array(0..<16)
                $0.shardCoverageFloor = 4
            }
        }
        #expect(throws: Never.self) {
            try engine {
                $0.clusterID = 1
                $0.shards = Array(0..<16)
                $0.shardCoverageFloor = 3
            }
        }
        #expect(throws: ConfigurationError.self) { try engine { $0.dialOversubscriptionPercent = 99 } }
    }
}
