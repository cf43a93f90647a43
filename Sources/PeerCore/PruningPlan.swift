/// Which peers the store pruning removes (nwaku `prunePeerStore`): a pure plan from the prunable
/// peers, sorted into classes, and the number to remove, to the peers to remove.
///
/// The engine builds the ``Candidates`` from its books (``PeerEngine/pruningCandidates(goal:)``:
/// connected, protected, service-slot and being-dialled peers are not candidates) and applies the
/// plan (deletes the victims, records ``DecisionReason/storePruned``). Peers are named by slot
/// numbers below ``Candidates/slotCount`` (the engine's store handles), so marking a peer taken is
/// an array write, not a hash: a prune at 100k peers walks every slot.
///
/// The rules, in order, until `goal` peers are taken:
/// 1. peers with `maxFailedAttempts` or more failures (never dialled again anyway);
/// 2. peers with no shard (no ENR `rs`/`rsv`, no metadata shards), in random order;
/// 3. peers of shards holding more than the average per shard, `len - avg` from each, largest
///    shard first, with `avg = max(1, total / shards)` (nwaku writes `min(1, ...)` and an
///    inclusive slice, so it empties every shard);
/// 4. any remaining sharded peer in random order, so capacity holds.
public struct PruningPlan: Sendable, Equatable {
    /// The prunable peers of one shard.
    public struct ShardGroup: Sendable, Equatable {
        /// The shard's index key (cluster << 16 | shard): orders shards of equal size.
        public var key: UInt32
        public var peers: [Int32]

        public init(key: UInt32, peers: [Int32]) {
            self.key = key
            self.peers = peers
        }
    }

    /// The prunable peers, by class. A peer is in exactly one of `failed`, `shardless` and
    /// `sharded`; a sharded peer is in the group of each of its shards.
    public struct Candidates: Sendable, Equatable {
        /// Every peer's slot number is below this.
        public var slotCount: Int
        public var failed: [Int32]
        public var shardless: [Int32]
        public var sharded: [Int32]
        /// The groups of the sharded peers' shards. Read only when the failed and shardless peers
        /// do not reach the goal, so a builder may leave it empty then.
        public var shards: [ShardGroup]

        public init(
            slotCount: Int, failed: [Int32] = [], shardless: [Int32] = [], sharded: [Int32] = [],
            shards: [ShardGroup] = []
        ) {
            self.slotCount = slotCount
            self.failed = failed
            self.shardless = shardless
            self.sharded = sharded
            self.shards = shards
        }

        /// Whether the plan reads ``shards`` for `goal`.
        public static func needsShards(failed: Int, shardless: Int, sharded: Int, goal: Int) -> Bool {
            failed + shardless < goal && sharded > 0
        }

        /// All candidates.
        public var count: Int { failed.count + shardless.count + sharded.count }
    }

    /// How many peers were to go.
    public var goal: Int
    /// The peers to remove, in slot order (deleting in slot order walks the indexes forward).
    public var victims: [Int32]
    /// How many victims each rule took.
    public var failed = 0
    public var shardless = 0
    public var overAverage = 0
    public var remaining = 0
    /// The candidates there were.
    public var available: Int

    /// Peers over the goal that could not go (every other peer is connected or exempt).
    public var short: Int { goal - victims.count }

    public init(
        goal: Int, victims: [Int32], failed: Int = 0, shardless: Int = 0, overAverage: Int = 0, remaining: Int = 0,
        available: Int
    ) {
        self.goal = goal
        self.victims = victims
        self.failed = failed
        self.shardless = shardless
        self.overAverage = overAverage
        self.remaining = remaining
        self.available = available
    }

    /// The plan for removing `goal` of `candidates`. Draws from `rng` only to order the shardless
    /// peers, the members of an over-average shard and the remaining sharded peers, each only when
    /// that rule is reached.
    public static func make(
        _ candidates: consuming Candidates, goal: Int, using rng: inout some RandomNumberGenerator
    ) -> PruningPlan {
        var marked = [Bool](repeating: false, count: candidates.slotCount)
        var victims: [Int32] = []
        victims.reserveCapacity(max(goal, 0))
        func take(_ slot: Int32) -> Bool {
            guard victims.count < goal else { return false }
            if !marked[Int(slot)] {
                marked[Int(slot)] = true
                victims.append(slot)
            }
            return victims.count < goal
        }

        var plan = PruningPlan(goal: goal, victims: [], available: candidates.count)
        for slot in candidates.failed where take(slot) {}
        plan.failed = victims.count
        if victims.count < goal {
            // Shuffled in place: the builder hands its arrays over, so nothing is copied.
            candidates.shardless.shuffle(using: &rng)
            for slot in candidates.shardless where take(slot) {}
        }
        plan.shardless = victims.count - plan.failed
        if victims.count < goal, !candidates.sharded.isEmpty {
            let groups = candidates.shards.filter { !$0.peers.isEmpty }
            let total = groups.reduce(0) { $0 + $1.peers.count }
            let average = max(1, total / max(groups.count, 1))
            let order = groups.sorted { ($0.peers.count, $1.key) > ($1.peers.count, $0.key) }
            for group in order where victims.count < goal {
                var peers = group.peers
                guard peers.count > average else { continue }
                peers.shuffle(using: &rng)
                var removed = 0
                for slot in peers where removed < peers.count - average && victims.count < goal {
                    if !marked[Int(slot)] {
                        _ = take(slot)
                        removed += 1
                    }
                }
            }
        }
        plan.overAverage = victims.count - plan.failed - plan.shardless
        if victims.count < goal {
            candidates.sharded.shuffle(using: &rng)
            for slot in candidates.sharded where take(slot) {}
        }
        plan.remaining = victims.count - plan.failed - plan.shardless - plan.overAverage
        victims.sort()
        plan.victims = victims
        return plan
    }
}
