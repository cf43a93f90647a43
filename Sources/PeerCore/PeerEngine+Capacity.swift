import PeerIdentity

/// The store's capacity, held at every insert (not only when the pruner runs).
///
/// A new peer at capacity evicts by the pruning rules (``PruningPlan``: failed peers first,
/// then shardless ones, then peers of over-populated shards; never connected, protected,
/// service-slot or being-dialled peers). When nothing can be evicted, a client's new peer is
/// refused (``DecisionReason/storeFull``, RESOURCE_EXHAUSTED at the server), while a peer the
/// host reports connected is stored anyway: the connection exists, and connected peers are
/// bounded by the host's connection limit. A snapshot import is trimmed back to capacity by the
/// same rules once loaded.
extension PeerEngine {
    /// Makes room for one new peer; returns `false` when the store is full and nothing can go.
    ///
    /// Evicts `capacity / 64` peers at once (at least one), so that a store at capacity fed by
    /// discovery does not scan the whole table for every new peer.
    mutating func makeRoom(into actions: inout [EngineAction]) -> Bool {
        guard store.count >= store.capacity else { return true }
        let goal = store.count - store.capacity + max(1, store.capacity / 64)
        var rng = evictionRandom
        let decision = evict(goal, using: &rng)
        evictionRandom = rng
        if !decision.peers.isEmpty { actions.append(.decision(decision)) }
        return store.count < store.capacity
    }

    /// The refusal of a client's new peer when nothing can be evicted.
    func storeFull(_ peer: PeerID) -> EngineAction {
        .decision(
            Decision(
                .storeFull, peer: peer, current: store.count, target: store.capacity,
                detail:
                    "store at capacity (\(store.count)/\(store.capacity), --peer-store-capacity) and every peer "
                    + "is connected, protected, slotted or being dialled"))
    }
}
