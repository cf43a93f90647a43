import PeerIdentity

/// Peer-store pruning (nwaku `prunePeerStore`, run every ``EngineConfiguration/pruneInterval``).
extension PeerEngine {
    /// Removes peers until the store is back at capacity.
    ///
    /// Never removed: connected peers, protected peers, service-slot peers and peers with a dial
    /// in flight. Among the rest, in order:
    /// 1. peers with `maxFailedAttempts` or more failures (never dialled again anyway);
    /// 2. peers with no shard (no ENR `rs`/`rsv`, no metadata shards), in random order;
    /// 3. peers of shards holding more than the average per shard, `len - avg` from each, with
    ///    `avg = max(1, total / shards)` (nwaku writes `min(1, ...)` and an inclusive slice, so it
    ///    empties every shard);
    /// 4. if still above capacity, any remaining peer in random order, so capacity holds.
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

    /// Removes up to `goal` peers by the pruning rules above; returns the ``DecisionReason/storePruned``
    /// decision listing them.
    mutating func evict(_ goal: Int, using rng: inout some RandomNumberGenerator) -> Decision {
        let before = store.count
        let capacity = store.capacity
        var marked = [Bool](repeating: false, count: store.entries.count)
        var victims: [Int32] = []
        victims.reserveCapacity(goal)
        func take(_ handle: Int32) -> Bool {
            guard victims.count < goal else { return false }
            if !marked[Int(handle)] {
                marked[Int(handle)] = true
                victims.append(handle)
            }
            return victims.count < goal
        }

        var failed: [Int32] = []
        var shardless: [Int32] = []
        var sharded: [Int32] = []
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
                failed.append(handle)
            } else if store.entries[index].enr?.relayShards?.shardIDs.isEmpty == false
                || store.entries[index].metadataShards?.shardIDs.isEmpty == false
            {
                sharded.append(handle)
                isSharded[index] = true
            } else {
                shardless.append(handle)
            }
        }

        var counts = (failed: 0, shardless: 0, overAverage: 0, remaining: 0)
        for handle in failed where take(handle) {}
        counts.failed = victims.count
        if victims.count < goal {
            shardless.shuffle(using: &rng)
            for handle in shardless where take(handle) {}
        }
        counts.shardless = victims.count - counts.failed
        if victims.count < goal, !sharded.isEmpty {
            // The per-shard lists come from the store's shard index, keeping prunable peers.
            let byShard = store.shardSetsByKey().compactMap { key, set in
                let peers = set.elements.filter { isSharded[Int($0)] }
                return peers.isEmpty ? nil : (key: key, peers: peers)
            }
            let total = byShard.reduce(0) { $0 + $1.peers.count }
            let average = max(1, total / byShard.count)
            let order = byShard.sorted { ($0.peers.count, $1.key) > ($1.peers.count, $0.key) }
            for (_, shardPeers) in order where victims.count < goal {
                var peers = shardPeers
                guard peers.count > average else { continue }
                peers.shuffle(using: &rng)
                var removed = 0
                for handle in peers where removed < peers.count - average && victims.count < goal {
                    if !marked[Int(handle)] {
                        _ = take(handle)
                        removed += 1
                    }
                }
            }
        }
        counts.overAverage = victims.count - counts.failed - counts.shardless
        if victims.count < goal {
            sharded.shuffle(using: &rng)
            for handle in sharded where take(handle) {}
        }
        counts.remaining = victims.count - counts.failed - counts.shardless - counts.overAverage

        // Delete in slot order: the index arrays are then walked mostly forward (cache friendly).
        victims.sort()
        let removed = victims.map { store.entries[Int($0)].id }
        for peer in removed { deletePeer(peer) }
        let short = goal - removed.count
        return Decision(
            .storePruned, peers: removed, current: before, target: capacity, chosen: removed.count,
            available: failed.count + shardless.count + sharded.count,
            detail:
                "\(before)/\(capacity) peers: pruned \(removed.count) (\(counts.failed) failed, "
                + "\(counts.shardless) shardless, \(counts.overAverage) over shard average, "
                + "\(counts.remaining) other)"
                + (short > 0 ? "; \(short) over capacity are connected or protected" : ""))
    }
}
