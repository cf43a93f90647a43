import PeerCore
import Testing

/// ``PruningPlan`` as a table, in the manner of Lodestar's `prioritizePeers` tests: rows of
/// prunable peers and a goal, and the plan expected. Where a rule draws at random, the row's
/// outcome is forced (the goal takes the whole class, or the class has one member) or the row
/// says which peers the draw may pick.
struct PruningPlanCase: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case failed
        case shardless
        /// Shard numbers (cluster 1).
        case sharded([UInt16])
    }

    var description: String
    /// Peer slot and class, one row per candidate.
    var peers: [(Int32, Kind)]
    var goal: Int
    /// The victims, in slot order; `nil` when the draw picks among `pickedFrom`.
    var victims: [Int32]?
    var pickedFrom: Set<Int32> = []
    /// Victims taken by each rule: failed, shardless, over shard average, remaining.
    var counts: (Int, Int, Int, Int)

    var candidates: PruningPlan.Candidates {
        var candidates = PruningPlan.Candidates(slotCount: Int(peers.map(\.0).max() ?? 0) + 1)
        var groups: [UInt32: [Int32]] = [:]
        for (slot, kind) in peers {
            switch kind {
            case .failed: candidates.failed.append(slot)
            case .shardless: candidates.shardless.append(slot)
            case .sharded(let shards):
                candidates.sharded.append(slot)
                for shard in shards {
                    groups[1 << 16 | UInt32(shard), default: []].append(slot)
                }
            }
        }
        candidates.shards = groups.keys.sorted().map { PruningPlan.ShardGroup(key: $0, peers: groups[$0]!) }
        return candidates
    }

    static let table: [PruningPlanCase] = [
        PruningPlanCase(
            description: "nothing to remove", peers: [(1, .failed), (2, .shardless)], goal: 0, victims: [],
            counts: (0, 0, 0, 0)),
        PruningPlanCase(
            description: "failed peers go first, in their order", peers: [(3, .failed), (1, .failed), (2, .shardless)],
            goal: 1, victims: [3], counts: (1, 0, 0, 0)),
        PruningPlanCase(
            description: "then shardless peers, before any sharded one",
            peers: [(1, .failed), (2, .shardless), (3, .shardless), (4, .sharded([0]))], goal: 3, victims: [1, 2, 3],
            counts: (1, 2, 0, 0)),
        PruningPlanCase(
            description: "shardless peers are drawn at random",
            peers: [(1, .shardless), (2, .shardless), (3, .shardless), (4, .sharded([0]))], goal: 2, victims: nil,
            pickedFrom: [1, 2, 3], counts: (0, 2, 0, 0)),
        PruningPlanCase(
            description: "the largest shard loses its peers over the average (avg = 5 / 2 = 2)",
            peers: [
                (1, .sharded([0])), (2, .sharded([0])), (3, .sharded([0])), (4, .sharded([0])), (5, .sharded([1])),
            ],
            goal: 2, victims: nil, pickedFrom: [1, 2, 3, 4], counts: (0, 0, 2, 0)),
        PruningPlanCase(
            description: "no shard over the average of 1 (nwaku's min(1, ...) would empty them): the rest at random",
            peers: [(1, .sharded([0])), (2, .sharded([1])), (3, .sharded([2]))], goal: 1, victims: nil,
            pickedFrom: [1, 2, 3], counts: (0, 0, 0, 1)),
        PruningPlanCase(
            description: "over average and then the remaining ones, to reach the goal",
            peers: [(1, .sharded([0])), (2, .sharded([0])), (3, .sharded([0])), (4, .sharded([1]))], goal: 4,
            victims: [1, 2, 3, 4], counts: (0, 0, 1, 3)),
        PruningPlanCase(
            description: "a peer on two shards goes once; each shard gives its own surplus (avg = 7 / 3 = 2)",
            peers: [(1, .sharded([0, 1])), (2, .sharded([0, 1])), (3, .sharded([0, 1])), (4, .sharded([2]))],
            goal: 4, victims: [1, 2, 3, 4], counts: (0, 0, 2, 2)),
        PruningPlanCase(
            description: "goal over the candidates: all go, the plan is short",
            peers: [(1, .failed), (2, .shardless), (5, .sharded([0]))], goal: 5, victims: [1, 2, 5],
            counts: (1, 1, 0, 1)),
        PruningPlanCase(description: "no candidates", peers: [], goal: 3, victims: [], counts: (0, 0, 0, 0)),
    ]
}

@Suite("Pruning plan")
struct PruningPlanTests {
    @Test("the plan for each row", arguments: PruningPlanCase.table)
    func row(_ row: PruningPlanCase) {
        var rng = SeededGenerator()
        let plan = PruningPlan.make(row.candidates, goal: row.goal, using: &rng)
        if let victims = row.victims {
            #expect(plan.victims == victims)
        } else {
            #expect(plan.victims.count == row.goal)
            #expect(Set(plan.victims).isSubset(of: row.pickedFrom))
            #expect(plan.victims == plan.victims.sorted())
        }
        #expect(plan.failed == row.counts.0)
        #expect(plan.shardless == row.counts.1)
        #expect(plan.overAverage == row.counts.2)
        #expect(plan.remaining == row.counts.3)
        #expect(plan.available == row.peers.count)
        #expect(plan.short == max(row.goal - row.peers.count, 0))
    }

    @Test("the same seed replays the same plan; draws happen only when a random rule is reached")
    func replay() {
        let row = PruningPlanCase.table[3]
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        #expect(
            PruningPlan.make(row.candidates, goal: 2, using: &a) == PruningPlan.make(row.candidates, goal: 2, using: &b)
        )
        // Failed peers alone reach the goal: the generator is untouched.
        var untouched = SeededGenerator(seed: 9)
        _ = PruningPlan.make(PruningPlanCase.table[1].candidates, goal: 1, using: &untouched)
        #expect(untouched.state == SeededGenerator(seed: 9).state)
    }

    @Test("shard groups are needed only when failed and shardless peers fall short")
    func needsShards() {
        #expect(!PruningPlan.Candidates.needsShards(failed: 2, shardless: 1, sharded: 5, goal: 3))
        #expect(PruningPlan.Candidates.needsShards(failed: 2, shardless: 1, sharded: 5, goal: 4))
        #expect(!PruningPlan.Candidates.needsShards(failed: 0, shardless: 0, sharded: 0, goal: 4))
    }
}
