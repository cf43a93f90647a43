import PeerIdentity

/// One sharded connectivity round (nwaku `manageRelayPeers`) as a pure plan: from the relay
/// peers and slot counts per shard of ours (``View``), the shard membership and connectable
/// candidates (asked lazily, as the engine reads them from its indexes) and the generator, to
/// the steps of the round in order (off-shard surplus, per-shard inbound surplus, per-shard fill)
/// and the round's dial queue. The engine builds the view (``PeerEngine/shardView(cluster:now:)``)
/// and applies the plan, dialling the queue batch by batch, each peer re-checked against its
/// shard's own target.
///
/// Per shard the targets are `max(1, target / shards)` (nwaku's plain integer division gives 0
/// with many shards, so nothing is ever dialled). Peers on none of our shards are in no shard's
/// list: they go while all relay peers of a direction exceed its global target.
public struct ShardPlan: Sendable, Equatable {
    /// One shard of ours as the round reads it.
    public struct Shard: Sendable, Equatable {
        public var shard: UInt16
        /// Some peer is (or was) on the shard; an unknown shard gets a decision and nothing else.
        public var known: Bool
        /// Its connected inbound relay peers not being disconnected.
        public var inbound: [RelaySurplus.Candidate]
        /// Outbound relay slots held on it: connected relay and unknown-kind outbound members,
        /// policy dials in flight to members.
        public var outboundClaims: Int

        public init(shard: UInt16, known: Bool = true, inbound: [RelaySurplus.Candidate] = [], outboundClaims: Int = 0)
        {
            self.shard = shard
            self.known = known
            self.inbound = inbound
            self.outboundClaims = outboundClaims
        }
    }

    public struct View: Sendable, Equatable {
        public var cluster: UInt16
        public var online: Bool
        public var batchInFlight: Int
        /// Every connected inbound relay peer not being disconnected, off-shard ones included.
        public var inbound: [RelaySurplus.Candidate]
        public var inboundTarget: Int
        /// Likewise outbound; a builder may leave it empty while all outbound relay peers are
        /// within the target (nothing to prune).
        public var outbound: [RelaySurplus.Candidate]
        public var outboundTarget: Int
        /// Per-shard targets.
        public var shardInboundTarget: Int
        public var shardOutboundTarget: Int
        /// Our shards, in the order visited (ascending).
        public var shards: [Shard]

        public init(
            cluster: UInt16, online: Bool = true, batchInFlight: Int = 0, inbound: [RelaySurplus.Candidate] = [],
            inboundTarget: Int, outbound: [RelaySurplus.Candidate] = [], outboundTarget: Int, shardInboundTarget: Int,
            shardOutboundTarget: Int, shards: [Shard]
        ) {
            self.cluster = cluster
            self.online = online
            self.batchInFlight = batchInFlight
            self.inbound = inbound
            self.inboundTarget = inboundTarget
            self.outbound = outbound
            self.outboundTarget = outboundTarget
            self.shardInboundTarget = shardInboundTarget
            self.shardOutboundTarget = shardOutboundTarget
            self.shards = shards
        }
    }

    public enum Step: Sendable, Equatable {
        /// Disconnect a surplus (off-shard, or a shard's inbound).
        case surplus(ConnectivityPlan.Surplus)
        /// No peer known on the shard.
        case unknownShard(UInt16)
        /// The shard's outbound fill: peers picked (slots), the slots held, the inbound relay
        /// peers left on it and the connectable candidates there were.
        case fill(shard: UInt16, picked: [Int32], outbound: Int, inbound: Int, available: Int)
    }

    /// Whether the round dials.
    public enum Round: Sendable, Equatable {
        case offline
        case batchInFlight(Int)
        /// The peers picked over all shards, in order (possibly none).
        case dial(queue: [Int32])
    }

    public var steps: [Step]
    public var round: Round

    public init(steps: [Step], round: Round) {
        self.steps = steps
        self.round = round
    }

    /// The off-shard surplus of one direction: off-shard peers go while all its relay peers
    /// exceed `target`; peers on our shards are left to their per-shard targets.
    public static func offShardSurplus(
        _ candidates: [RelaySurplus.Candidate], target: Int, direction: String, reason: DecisionReason
    ) -> ConnectivityPlan.Surplus? {
        let offShard = candidates.filter(\.offShard)
        guard !offShard.isEmpty else { return nil }
        let onShard = candidates.count - offShard.count
        return ConnectivityPlan.Surplus.of(
            offShard, target: max(target - onShard, 0), direction: "\(direction) (off-shard)", reason: reason)
    }

    /// The round's plan.
    ///
    /// - Parameters:
    ///   - isMember: whether a peer is on the shard at an index of ``View/shards`` (a peer picked
    ///     for an earlier shard holds a slot on every shard it is on).
    ///   - connectable: the shard's connectable relay peers (known relay, not connected, outside
    ///     backoff, with addresses), asked only when the shard has outbound room and the round
    ///     may dial.
    /// - Draws from `rng` only to order a shard's connectable peers.
    public static func make(
        _ view: View, isMember: (Int32, Int) -> Bool, connectable: (Int) -> [Int32],
        using rng: inout some RandomNumberGenerator
    ) -> ShardPlan {
        var steps: [Step] = []
        if let surplus = offShardSurplus(
            view.inbound, target: view.inboundTarget, direction: "in", reason: .inboundRelayPruned)
        {
            steps.append(.surplus(surplus))
        }
        if let surplus = offShardSurplus(
            view.outbound, target: view.outboundTarget, direction: "out", reason: .outboundRelayPruned)
        {
            steps.append(.surplus(surplus))
        }
        let canDial = view.online && view.batchInFlight == 0
        var gone: Set<PeerID> = []
        var queue: [Int32] = []
        var chosen: Set<Int32> = []
        for (index, shard) in view.shards.enumerated() {
            guard shard.known else {
                steps.append(.unknownShard(shard.shard))
                continue
            }
            // Peers pruned for an earlier shard are being disconnected: not counted again.
            var inbound = gone.isEmpty ? shard.inbound : shard.inbound.filter { !gone.contains($0.peer) }
            if let surplus = ConnectivityPlan.Surplus.of(
                inbound, target: view.shardInboundTarget, direction: "shard \(view.cluster)/\(shard.shard): in",
                reason: .shardInboundPruned)
            {
                steps.append(.surplus(surplus))
                gone.formUnion(surplus.plan.chosen)
                inbound.removeAll { gone.contains($0.peer) }
            }
            let outbound = shard.outboundClaims + queue.count { isMember($0, index) }
            guard outbound < view.shardOutboundTarget, canDial else { continue }
            var candidates = connectable(index).filter { !chosen.contains($0) }
            candidates.shuffle(using: &rng)
            let picked = Array(candidates.prefix(view.shardOutboundTarget - outbound))
            for slot in picked {
                chosen.insert(slot)
                queue.append(slot)
            }
            steps.append(
                .fill(
                    shard: shard.shard, picked: picked, outbound: outbound, inbound: inbound.count,
                    available: candidates.count))
        }
        guard view.online else { return ShardPlan(steps: steps, round: .offline) }
        guard view.batchInFlight == 0 else { return ShardPlan(steps: steps, round: .batchInFlight(view.batchInFlight)) }
        return ShardPlan(steps: steps, round: .dial(queue: queue))
    }
}
