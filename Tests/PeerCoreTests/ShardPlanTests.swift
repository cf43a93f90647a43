import PeerCore
import PeerIdentity
import Testing

/// ``ShardPlan`` (the sharded round) as a table, in the manner of Lodestar's `prioritizePeers`
/// tests: rows of shards (inbound relay peers, outbound slots held, members, connectable peers)
/// and settings, and the plan expected.
struct ShardPlanCase: Sendable, CustomStringConvertible {
    struct Row: Sendable {
        var shard: UInt16
        var known = true
        /// Inbound relay peers on the shard: number and join time.
        var inbound: [(Int, Int64)] = []
        var outboundClaims = 0
        /// Slots of the peers on the shard, and of those connectable.
        var members: [Int32] = []
        var connectable: [Int32] = []
    }

    enum Expected: Sendable {
        case surplus(DecisionReason, [Int])
        case unknownShard(UInt16)
        /// A fill that picks `count` of `from`, from `outbound` slots held, `inbound` peers left.
        case fill(shard: UInt16, count: Int, from: Set<Int32>, outbound: Int, inbound: Int, available: Int)
    }

    var description: String
    var online = true
    var batchInFlight = 0
    /// Connected relay peers of each direction: number, join time, off-shard.
    var inbound: [(Int, Int64, Bool)] = []
    var outbound: [(Int, Int64, Bool)] = []
    var inboundTarget = 4
    var outboundTarget = 4
    var shardInboundTarget = 2
    var shardOutboundTarget = 2
    var shards: [Row]
    var steps: [Expected]
    /// The round: offline, in flight, or how many peers are queued.
    var round: ShardPlan.Round?
    var queued = 0

    var view: ShardPlan.View {
        func candidates(_ rows: [(Int, Int64, Bool)]) -> [RelaySurplus.Candidate] {
            rows.map { RelaySurplus.Candidate(peer: peer($0.0), joinedAt: at($0.1), offShard: $0.2) }
        }
        return ShardPlan.View(
            cluster: 1, online: online, batchInFlight: batchInFlight, inbound: candidates(inbound),
            inboundTarget: inboundTarget, outbound: candidates(outbound), outboundTarget: outboundTarget,
            shardInboundTarget: shardInboundTarget, shardOutboundTarget: shardOutboundTarget,
            shards: shards.map { row in
                ShardPlan.Shard(
                    shard: row.shard, known: row.known,
                    inbound: row.inbound.map { RelaySurplus.Candidate(peer: peer($0.0), joinedAt: at($0.1)) },
                    outboundClaims: row.outboundClaims)
            })
    }

    static let table: [ShardPlanCase] = [
        ShardPlanCase(
            description: "a shard nobody is on gets a decision, the others fill",
            shards: [Row(shard: 0, known: false), Row(shard: 1, members: [1, 2, 3], connectable: [1, 2, 3])],
            steps: [
                .unknownShard(0), .fill(shard: 1, count: 2, from: [1, 2, 3], outbound: 0, inbound: 0, available: 3),
            ],
            queued: 2),
        ShardPlanCase(
            description: "a shard at its target does not fill",
            shards: [Row(shard: 0, outboundClaims: 2, members: [1, 2], connectable: [1, 2])], steps: [], queued: 0),
        ShardPlanCase(
            description: "a peer picked for one shard holds a slot on every shard it is on, and is not picked twice",
            shardOutboundTarget: 1,
            shards: [
                Row(shard: 0, members: [7], connectable: [7]), Row(shard: 1, members: [7, 8], connectable: [7, 8]),
            ],
            steps: [.fill(shard: 0, count: 1, from: [7], outbound: 0, inbound: 0, available: 1)], queued: 1),
        ShardPlanCase(
            description: "a shard's inbound surplus goes, youngest first; a peer pruned once is not counted again",
            shards: [
                Row(shard: 0, inbound: [(1, 1), (2, 2), (3, 3)], outboundClaims: 2),
                Row(shard: 1, inbound: [(3, 3), (4, 4)], outboundClaims: 2),
            ],
            steps: [.surplus(.shardInboundPruned, [3])], queued: 0),
        ShardPlanCase(
            description: "off-shard peers go first while all relay peers of a direction exceed the global target",
            inbound: [(1, 1, false), (2, 2, false), (3, 3, false), (4, 4, true), (5, 5, true)],
            outbound: [(11, 1, true), (12, 2, false), (13, 3, false), (14, 4, false), (15, 5, false)],
            shards: [Row(shard: 0, outboundClaims: 2)],
            steps: [.surplus(.inboundRelayPruned, [5]), .surplus(.outboundRelayPruned, [11])], queued: 0),
        ShardPlanCase(
            description: "offline: surplus and decisions, but no pick and no dial",
            online: false,
            shards: [Row(shard: 0, inbound: [(1, 1), (2, 2), (3, 3)], members: [9], connectable: [9])],
            steps: [.surplus(.shardInboundPruned, [3])], round: .offline),
        ShardPlanCase(
            description: "a batch in flight: no new round",
            batchInFlight: 3, shards: [Row(shard: 0, members: [9], connectable: [9])], steps: [],
            round: .batchInFlight(3)),
    ]
}

@Suite("Shard plan")
struct ShardPlanTests {
    @Test("the plan for each row", arguments: ShardPlanCase.table)
    func row(_ row: ShardPlanCase) {
        var rng = SeededGenerator()
        let plan = ShardPlan.make(
            row.view, isMember: { row.shards[$1].members.contains($0) },
            connectable: { row.shards[$0].connectable }, using: &rng)
        #expect(plan.steps.count == row.steps.count)
        for (step, expected) in zip(plan.steps, row.steps) {
            switch (step, expected) {
            case (.surplus(let surplus), .surplus(let reason, let peers)):
                #expect(surplus.reason == reason)
                #expect(surplus.plan.chosen == peers.map(peer))
            case (.unknownShard(let shard), .unknownShard(let expected)):
                #expect(shard == expected)
            case (
                .fill(let shard, let picked, let outbound, let inbound, let available),
                .fill(let eShard, let count, let from, let eOutbound, let eInbound, let eAvailable)
            ):
                #expect(shard == eShard)
                #expect(picked.count == count)
                #expect(Set(picked).isSubset(of: from))
                #expect(outbound == eOutbound)
                #expect(inbound == eInbound)
                #expect(available == eAvailable)
            default:
                Issue.record("step \(step), expected \(expected)")
            }
        }
        if let round = row.round {
            #expect(plan.round == round)
        } else if case .dial(let queue) = plan.round {
            #expect(queue.count == row.queued)
            let picked = plan.steps.flatMap { step -> [Int32] in
                if case .fill(_, let picked, _, _, _) = step { return picked }
                return []
            }
            #expect(queue == picked)
        } else {
            Issue.record("expected a dial round, got \(plan.round)")
        }
    }

    @Test("a shard's inbound relay peers left after its surplus are what the fill records")
    func inboundLeft() throws {
        let view = ShardPlan.View(
            cluster: 1, inboundTarget: 8, outboundTarget: 8, shardInboundTarget: 1, shardOutboundTarget: 1,
            shards: [
                ShardPlan.Shard(
                    shard: 0,
                    inbound: [
                        RelaySurplus.Candidate(peer: peer(1), joinedAt: at(1)),
                        RelaySurplus.Candidate(peer: peer(2), joinedAt: at(2), isProtected: true),
                        RelaySurplus.Candidate(peer: peer(3), joinedAt: at(3)),
                    ])
            ])
        var rng = SeededGenerator()
        let plan = ShardPlan.make(view, isMember: { _, _ in true }, connectable: { _ in [5] }, using: &rng)
        #expect(plan.steps.count == 2)
        guard case .surplus(let surplus) = plan.steps[0], case .fill(_, let picked, _, let inbound, _) = plan.steps[1]
        else {
            Issue.record("expected a surplus then a fill, got \(plan.steps)")
            return
        }
        #expect(surplus.plan.chosen == [peer(3), peer(1)])
        #expect(inbound == 1)
        #expect(picked == [5])
        #expect(plan.round == .dial(queue: [5]))
    }

    @Test("connectable peers are asked only for shards with room in a round that may dial")
    func lazyCandidates() {
        var asked: [Int] = []
        let view = ShardPlan.View(
            cluster: 1, inboundTarget: 4, outboundTarget: 4, shardInboundTarget: 2, shardOutboundTarget: 2,
            shards: [ShardPlan.Shard(shard: 0, outboundClaims: 2), ShardPlan.Shard(shard: 1)])
        var rng = SeededGenerator()
        _ = ShardPlan.make(
            view, isMember: { _, _ in false },
            connectable: {
                asked.append($0)
                return []
            }, using: &rng)
        #expect(asked == [1])
        var offline = view
        offline.online = false
        asked = []
        _ = ShardPlan.make(
            offline, isMember: { _, _ in false },
            connectable: {
                asked.append($0)
                return []
            }, using: &rng)
        #expect(asked.isEmpty)
    }

    @Test("off-shard surplus: the target less the on-shard peers, none when all are on our shards")
    func offShard() {
        let on = (1...3).map { RelaySurplus.Candidate(peer: peer($0), joinedAt: at(Int64($0))) }
        let off = [RelaySurplus.Candidate(peer: peer(9), joinedAt: at(0), offShard: true)]
        #expect(ShardPlan.offShardSurplus(on, target: 2, direction: "in", reason: .inboundRelayPruned) == nil)
        let surplus = ShardPlan.offShardSurplus(on + off, target: 4, direction: "in", reason: .inboundRelayPruned)
        #expect(surplus == nil)
        let over = ShardPlan.offShardSurplus(on + off, target: 3, direction: "in", reason: .inboundRelayPruned)
        #expect(over?.plan.chosen == [peer(9)])
        #expect(over?.direction == "in (off-shard)")
        #expect(over?.target == 0)
    }
}
