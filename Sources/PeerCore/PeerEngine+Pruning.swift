import PeerIdentity

/// Peer-store pruning (nwaku `prunePeerStore`, run every ``EngineConfiguration/pruneInterval``,
/// and at insert when the store is at capacity): the engine's side of ``PruningPlan``, which
/// says who goes. Here the candidates are read from the books and the plan is applied.
extension PeerEngine {
    /// Removes peers until the store is back at capacity, by the rules of ``PruningPlan``.
    ///
    /// Never removed: connected peers, protected peers, service-slot peers and peers with a dial
    /// in flight.
    ///
    /// - Returns: a ``DecisionReason/storePruned`` decision listing the removed peers (for the
    ///   persistence layer to delete them too), or ``DecisionReason/storeWithinCapacity``.
    public mutating func prune(now: EngineTime, using rng: inout some RandomNumberGenerator) -> [EngineAction] {
        let before = store.count
        let capacity = store.capacity
        guard before > capacity else {
            return [
                .decision(
                    Decision(
                        .storeWithinCapacity, current: before, target: capacity,
                        detail: "\(before)/\(capacity) peers: nothing to prune"))
            ]
        }
        var actions: [EngineAction] = [.decision(evict(before - capacity, using: &rng))]
        flushPeerChanges(into: &actions)
        return actions
    }

    /// Plans the removal of up to `goal` peers and applies it; returns the
    /// ``DecisionReason/storePruned`` decision listing them.
    mutating func evict(_ goal: Int, using rng: inout some RandomNumberGenerator) -> Decision {
        let plan = PruningPlan.make(pruningCandidates(goal: goal), goal: goal, using: &rng)
        return apply(plan)
    }

    /// The prunable peers, classed as ``PruningPlan`` reads them; the shard groups only when the
    /// plan reaches them for `goal`.
    func pruningCandidates(goal: Int) -> PruningPlan.Candidates {
        var candidates = PruningPlan.Candidates(slotCount: store.entries.count)
        var isSharded = [Bool](repeating: false, count: store.entries.count)
        // Skip the per-peer hash lookups when nothing is protected, slotted or being dialled.
        let checkExemptions = protection.protectedCount > 0 || serviceSlots.peerCount > 0 || !dialing.isEmpty
        // Fields are read in place (`store.entries[index].x`): copying whole entries out of a
        // 100k-slot table costs more than the rest of the pass.
        for index in store.entries.indices {
            guard store.entries[index].live, store.entries[index].connectedness != .connected else { continue }
            let handle = Int32(index)
            if checkExemptions {
                let id = store.entries[index].id
                if protection.isProtected(id) || serviceSlots.contains(id) || dialing[id] != nil { continue }
            }
            if Int(store.entries[index].failedAttempts) >= configuration.maxFailedAttempts {
                candidates.failed.append(handle)
            } else if store.entries[index].enr?.relayShards?.shardIDs.isEmpty == false
                || store.entries[index].metadataShards?.shardIDs.isEmpty == false
            {
                candidates.sharded.append(handle)
                isSharded[index] = true
            } else {
                candidates.shardless.append(handle)
            }
        }
        if PruningPlan.Candidates.needsShards(
            failed: candidates.failed.count, shardless: candidates.shardless.count,
            sharded: candidates.sharded.count, goal: goal)
        {
            // The per-shard lists come from the store's shard index, keeping prunable peers.
            candidates.shards = store.shardSetsByKey().compactMap { key, set in
                let peers = set.elements.filter { isSharded[Int($0)] }
                return peers.isEmpty ? nil : PruningPlan.ShardGroup(key: key, peers: peers)
            }
        }
        return candidates
    }

    /// Deletes the plan's victims; returns the decision that records them.
    mutating func apply(_ plan: PruningPlan) -> Decision {
        let before = store.count
        let capacity = store.capacity
        let removed = plan.victims.map { store.entries[Int($0)].id }
        for peer in removed { deletePeer(peer) }
        return Decision(
            .storePruned, peers: removed, current: before, target: capacity, chosen: removed.count,
            available: plan.available,
            detail:
                "\(before)/\(capacity) peers: pruned \(removed.count) (\(plan.failed) failed, "
                + "\(plan.shardless) shardless, \(plan.overAverage) over shard average, "
                + "\(plan.remaining) other)"
                + (plan.short > 0 ? "; \(plan.short) over capacity are connected or protected" : ""))
    }
}
