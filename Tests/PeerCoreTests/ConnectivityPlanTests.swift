import PeerCore
import PeerIdentity
import Testing

/// ``ConnectivityPlan`` (the non-sharded round) as a table, in the manner of Lodestar's
/// `prioritizePeers` tests: rows of relay peers, counts and targets, and the plan expected.
struct ConnectivityPlanCase: Sendable, CustomStringConvertible {
    /// A connected relay peer: number, seconds since it joined the epoch, protected, off-shard.
    struct Relay: Sendable {
        var n: Int
        var joined: Int64
        var isProtected = false
        var offShard = false

        var candidate: RelaySurplus.Candidate {
            RelaySurplus.Candidate(peer: peer(n), joinedAt: at(joined), isProtected: isProtected, offShard: offShard)
        }
    }

    enum ExpectedFill: Sendable {
        case exactly(ConnectivityPlan.Fill)
        /// A dial round of `count` peers drawn from `from`, with the slots held and available.
        case dial(count: Int, from: Set<Int32>, outbound: Int, available: Int)
    }

    var description: String
    var online = true
    var batchInFlight = 0
    var inbound: [Relay] = []
    var inboundTarget = 2
    var outbound: [Relay] = []
    var otherClaims = 0
    var outboundTarget = 3
    var pool = CandidatePool(primary: [])
    /// Peers disconnected, by reason, in order.
    var disconnects: [(DecisionReason, [Int])] = []
    var fill: ExpectedFill

    var view: ConnectivityPlan.View {
        ConnectivityPlan.View(
            online: online, batchInFlight: batchInFlight, inbound: inbound.map(\.candidate),
            inboundTarget: inboundTarget,
            outbound: outbound.map(\.candidate), outboundOtherClaims: otherClaims, outboundTarget: outboundTarget)
    }

    static let table: [ConnectivityPlanCase] = [
        ConnectivityPlanCase(
            description: "offline: no dial, but the surplus still goes",
            online: false, inbound: [Relay(n: 1, joined: 1), Relay(n: 2, joined: 2), Relay(n: 3, joined: 3)],
            disconnects: [(.inboundRelayPruned, [3])], fill: .exactly(.offline)),
        ConnectivityPlanCase(
            description: "the last batch has not all reported", batchInFlight: 2, fill: .exactly(.batchInFlight(2))),
        ConnectivityPlanCase(
            description: "at target: no dial; inbound counted for the record",
            inbound: [Relay(n: 1, joined: 1)], outbound: [Relay(n: 4, joined: 1), Relay(n: 5, joined: 2)],
            otherClaims: 1, fill: .exactly(.targetMet(outbound: 3, inbound: 1))),
        ConnectivityPlanCase(
            description: "inbound surplus: the youngest unprotected go",
            inbound: [
                Relay(n: 1, joined: 1), Relay(n: 2, joined: 5, isProtected: true), Relay(n: 3, joined: 3),
                Relay(n: 4, joined: 4),
            ],
            otherClaims: 3, disconnects: [(.inboundRelayPruned, [4, 3])],
            fill: .exactly(.targetMet(outbound: 3, inbound: 2))),
        ConnectivityPlanCase(
            description: "off-shard peers go first and never held a slot",
            inbound: [Relay(n: 1, joined: 1), Relay(n: 2, joined: 1, offShard: true), Relay(n: 3, joined: 3)],
            otherClaims: 3, disconnects: [(.inboundRelayPruned, [2])],
            fill: .exactly(.targetMet(outbound: 3, inbound: 2))),
        ConnectivityPlanCase(
            description: "outbound surplus, then the slots it leaves are filled again next round",
            outbound: [
                Relay(n: 1, joined: 1), Relay(n: 2, joined: 2), Relay(n: 3, joined: 3), Relay(n: 4, joined: 4),
                Relay(n: 5, joined: 5),
            ],
            disconnects: [(.outboundRelayPruned, [5, 4])], fill: .exactly(.targetMet(outbound: 3, inbound: 0))),
        ConnectivityPlanCase(
            description: "both directions over target: inbound first",
            inbound: [Relay(n: 1, joined: 1), Relay(n: 2, joined: 2), Relay(n: 3, joined: 3)],
            outbound: [
                Relay(n: 11, joined: 1), Relay(n: 12, joined: 2), Relay(n: 13, joined: 3), Relay(n: 14, joined: 4),
            ],
            disconnects: [(.inboundRelayPruned, [3]), (.outboundRelayPruned, [14])],
            fill: .exactly(.targetMet(outbound: 3, inbound: 2))),
        ConnectivityPlanCase(
            description: "protected outbound over target: the surplus is recorded, nobody goes, target met",
            outbound: (1...4).map { Relay(n: $0, joined: Int64($0), isProtected: true) },
            disconnects: [(.outboundRelayPruned, [])],
            fill: .exactly(.targetMet(outbound: 4, inbound: 0))),
        ConnectivityPlanCase(
            description: "below target with nobody to dial",
            outbound: [Relay(n: 1, joined: 1)], fill: .exactly(.noCandidates(outbound: 1))),
        ConnectivityPlanCase(
            description: "below target: a round of the free slots, drawn from the pool",
            outbound: [Relay(n: 1, joined: 1)], pool: CandidatePool(primary: [10, 11, 12, 13, 14]),
            fill: .dial(count: 2, from: [10, 11, 12, 13, 14], outbound: 1, available: 5)),
        ConnectivityPlanCase(
            description: "dials in flight and unknown peers hold slots",
            otherClaims: 2, pool: CandidatePool(primary: [10, 11, 12]),
            fill: .dial(count: 1, from: [10, 11, 12], outbound: 2, available: 3)),
        ConnectivityPlanCase(
            description: "fewer candidates than free slots: every one, excluded ones never",
            pool: CandidatePool(primary: [10, 11, 12], extra: [20], excluded: [11]),
            fill: .dial(count: 3, from: [10, 12, 20], outbound: 0, available: 3)),
    ]
}

@Suite("Connectivity plan")
struct ConnectivityPlanTests {
    @Test("the plan for each row", arguments: ConnectivityPlanCase.table)
    func row(_ row: ConnectivityPlanCase) {
        var rng = SeededGenerator()
        let plan = ConnectivityPlan.make(row.view, pool: { row.pool }, using: &rng)
        #expect(plan.surplus.map(\.reason) == row.disconnects.map(\.0))
        #expect(plan.surplus.map(\.plan.chosen) == row.disconnects.map { $0.1.map(peer) })
        switch row.fill {
        case .exactly(let fill):
            #expect(plan.fill == fill)
        case .dial(let count, let from, let outbound, let available):
            guard case .dial(let queue, let held, let connectable) = plan.fill else {
                Issue.record("expected a dial round, got \(plan.fill)")
                return
            }
            #expect(queue.count == count)
            #expect(Set(queue).count == count)
            #expect(Set(queue).isSubset(of: from))
            #expect(held == outbound)
            #expect(connectable == available)
        }
    }

    @Test("the surplus records what the decision says: held, target, off-shard peers")
    func surplusFields() throws {
        let candidates = [
            RelaySurplus.Candidate(peer: peer(1), joinedAt: at(1)),
            RelaySurplus.Candidate(peer: peer(2), joinedAt: at(2), offShard: true),
            RelaySurplus.Candidate(peer: peer(3), joinedAt: at(3), isProtected: true),
        ]
        let surplus = try #require(
            ConnectivityPlan.Surplus.of(candidates, target: 1, direction: "in", reason: .inboundRelayPruned))
        #expect(surplus.held == 3)
        #expect(surplus.offShard == 1)
        #expect(surplus.plan == RelaySurplus.Plan(surplus: 2, chosen: [peer(2), peer(1)], unprotected: 2))
        #expect(ConnectivityPlan.Surplus.of(candidates, target: 3, direction: "in", reason: .inboundRelayPruned) == nil)
    }

    @Test("the pool is gathered only when the round dials; the same seed replays the round")
    func lazyPoolAndReplay() {
        var asked = 0
        var rng = SeededGenerator()
        let atTarget = ConnectivityPlan.View(inboundTarget: 1, outboundOtherClaims: 3, outboundTarget: 3)
        _ = ConnectivityPlan.make(
            atTarget,
            pool: {
                asked += 1
                return CandidatePool(primary: [1])
            }, using: &rng)
        #expect(asked == 0)
        let below = ConnectivityPlan.View(inboundTarget: 1, outboundTarget: 8)
        let pool = CandidatePool(primary: Array(0..<100))
        var a = SeededGenerator(seed: 3)
        var b = SeededGenerator(seed: 3)
        #expect(
            ConnectivityPlan.make(below, pool: { pool }, using: &a)
                == ConnectivityPlan.make(below, pool: { pool }, using: &b))
    }
}
