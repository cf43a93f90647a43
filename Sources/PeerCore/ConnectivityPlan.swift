import PeerIdentity

/// One non-sharded connectivity round (nwaku `connectToRelayPeers`) as a pure plan: from the
/// relay counts and candidates the round reads (``View``) and the generator, to the relay
/// surplus to disconnect and what the fill does. The engine builds the view
/// (``PeerEngine/connectivityView(now:)``), applies the plan (disconnects, decisions, the first
/// dial batch) and dials the rest of the round batch by batch as outcomes arrive.
public struct ConnectivityPlan: Sendable, Equatable {
    /// What the round reads.
    public struct View: Sendable, Equatable {
        /// Online (a connection, or the host says reachable): no policy dial while offline.
        public var online: Bool
        /// Dials of the last batch still in flight: no new round until they report.
        public var batchInFlight: Int
        /// Connected inbound relay peers not being disconnected, off-shard ones included.
        public var inbound: [RelaySurplus.Candidate]
        public var inboundTarget: Int
        /// Connected outbound relay peers not being disconnected, off-shard ones included; a
        /// builder may leave it empty while all outbound relay peers are within the target
        /// (nothing to prune), and then gives their count in ``outboundRelay``.
        public var outbound: [RelaySurplus.Candidate]
        /// Connected outbound relay peers holding a slot (not being disconnected, on our shards).
        public var outboundRelay: Int
        /// Other outbound slots held: connected peers of unknown kind, policy dials in flight.
        public var outboundOtherClaims: Int
        public var outboundTarget: Int
        /// Candidates queued per free slot, in percent (``EngineConfiguration/dialOversubscriptionPercent``).
        public var dialPercent = 100

        public init(
            online: Bool = true, batchInFlight: Int = 0, inbound: [RelaySurplus.Candidate] = [], inboundTarget: Int,
            outbound: [RelaySurplus.Candidate] = [], outboundRelay: Int? = nil, outboundOtherClaims: Int = 0,
            outboundTarget: Int
        ) {
            self.online = online
            self.batchInFlight = batchInFlight
            self.inbound = inbound
            self.inboundTarget = inboundTarget
            self.outbound = outbound
            self.outboundRelay = outboundRelay ?? outbound.count { !$0.offShard }
            self.outboundOtherClaims = outboundOtherClaims
            self.outboundTarget = outboundTarget
        }
    }

    /// The surplus of one direction to disconnect.
    public struct Surplus: Sendable, Equatable {
        public var reason: DecisionReason
        /// For the decision's text: "in", "out", "shard 1/0: in", ...
        public var direction: String
        public var target: Int
        /// The candidates held (``RelaySurplus`` candidates) and how many share no shard with us.
        public var held: Int
        public var offShard: Int
        public var plan: RelaySurplus.Plan

        /// The ``RelaySurplus`` plan of one direction; `nil` when there is nothing to disconnect.
        public static func of(
            _ candidates: [RelaySurplus.Candidate], target: Int, direction: String, reason: DecisionReason
        ) -> Surplus? {
            let plan = RelaySurplus.plan(candidates, target: target)
            guard plan.surplus > 0, !candidates.isEmpty else { return nil }
            return Surplus(
                reason: reason, direction: direction, target: target, held: candidates.count,
                offShard: candidates.count { $0.offShard }, plan: plan)
        }
    }

    /// What the fill does after the surplus goes.
    public enum Fill: Sendable, Equatable {
        /// Offline: no dial, so peers do not go into backoff.
        case offline
        /// The last batch has not all reported (its size).
        case batchInFlight(Int)
        /// Outbound slots held reach the target; the inbound relay slots held, for the record.
        case targetMet(outbound: Int, inbound: Int)
        /// No connectable candidate.
        case noCandidates(outbound: Int)
        /// The round's candidates in dial order (at most the outbound slots free), dialled batch
        /// by batch, from `outbound` slots held and `available` connectable peers.
        case dial(queue: [Int32], outbound: Int, available: Int)
    }

    /// Inbound then outbound surplus, in the order disconnected.
    public var surplus: [Surplus]
    public var fill: Fill
    /// What the spread did to the dial queue (``DialSpread``); `nil` when the round did not
    /// spread (setting off, or no dial).
    public var spread: DialSpread.Order?

    public init(surplus: [Surplus], fill: Fill, spread: DialSpread.Order? = nil) {
        self.surplus = surplus
        self.fill = fill
        self.spread = spread
    }

    /// The round's plan. `pool` gives the connectable relay candidates (not connected, outside
    /// backoff, with addresses); it is asked only when the round dials, as gathering it walks the
    /// backed-off peers. Draws from `rng` only to sample the dial candidates. `spread`, when
    /// given, orders a uniform sample of up to ``DialSpread/window`` candidates
    /// (``DialSpread/order(_:count:held:)`` through the engine's view of groups and origins) and
    /// the queue is its first candidates; without it the queue is a uniform sample (nwaku).
    public static func make(
        _ view: View, pool: () -> CandidatePool,
        spread: ((_ sample: [Int32], _ count: Int) -> DialSpread.Order)? = nil,
        using rng: inout some RandomNumberGenerator
    ) -> ConnectivityPlan {
        let inbound = Surplus.of(view.inbound, target: view.inboundTarget, direction: "in", reason: .inboundRelayPruned)
        let outbound = Surplus.of(
            view.outbound, target: view.outboundTarget, direction: "out", reason: .outboundRelayPruned)
        let surplus = [inbound, outbound].compactMap { $0 }
        // Slots held once the surplus goes: a disconnected peer holds none, an off-shard one never did.
        func held(_ candidates: [RelaySurplus.Candidate], _ chosen: Surplus?) -> Int {
            guard let chosen else { return 0 }
            let gone = Set(chosen.plan.chosen)
            return candidates.count { !$0.offShard && gone.contains($0.peer) }
        }
        let inboundHeld = view.inbound.count { !$0.offShard } - held(view.inbound, inbound)
        guard view.online else { return ConnectivityPlan(surplus: surplus, fill: .offline) }
        guard view.batchInFlight == 0 else {
            return ConnectivityPlan(surplus: surplus, fill: .batchInFlight(view.batchInFlight))
        }
        let outboundHeld = view.outboundRelay - held(view.outbound, outbound) + view.outboundOtherClaims
        guard outboundHeld < view.outboundTarget else {
            return ConnectivityPlan(surplus: surplus, fill: .targetMet(outbound: outboundHeld, inbound: inboundHeld))
        }
        let pool = pool()
        let available = pool.available
        guard available > 0 else {
            return ConnectivityPlan(surplus: surplus, fill: .noCandidates(outbound: outboundHeld))
        }
        let wanted = ShardCoverage.oversubscribed(view.outboundTarget - outboundHeld, percent: view.dialPercent)
        let count = min(available, wanted)
        guard let spread else {
            let queue = pool.sample(count, using: &rng)
            return ConnectivityPlan(
                surplus: surplus, fill: .dial(queue: queue, outbound: outboundHeld, available: available))
        }
        let order = spread(pool.sample(min(available, max(count, DialSpread.window)), using: &rng), count)
        return ConnectivityPlan(
            surplus: surplus, fill: .dial(queue: order.queue, outbound: outboundHeld, available: available),
            spread: order)
    }
}
