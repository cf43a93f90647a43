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
        let goal = before - capacity
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
        var byShard: [UInt32: [Int32]] = [:]
        // Skip the per-peer hash lookups when nothing is protected, slotted or being dialled.
        let checkExemptions = protection.protectedCount > 0 || serviceSlots.peerCount > 0 || !dialing.isEmpty
        for (index, slot) in store.entries.enumerated() {
            guard let entry = slot, entry.connectedness != .connected else { continue }
            let handle = Int32(index)
            if checkExemptions,
                protection.isProtected(entry.id) || serviceSlots.contains(entry.id) || dialing[entry.id] != nil
            {
                continue
            }
            if Int(entry.failedAttempts) >= configuration.maxFailedAttempts {
                failed.append(handle)
                continue
            }
            var keys: [UInt32] = []
            if let shards = entry.enr?.relayShards {
                for shard in shards.shardIDs { keys.append(UInt32(shards.clusterID) << 16 | UInt32(shard)) }
            }
            if let shards = entry.metadataShards {
                for shard in shards.shardIDs {
                    let key = UInt32(shards.clusterID) << 16 | UInt32(shard)
                    if !keys.contains(key) { keys.append(key) }
                }
            }
            if keys.isEmpty {
                shardless.append(handle)
            } else {
                sharded.append(handle)
                for key in keys { byShard[key, default: []].append(handle) }
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
        if victims.count < goal, !byShard.isEmpty {
            let total = byShard.values.reduce(0) { $0 + $1.count }
            let average = max(1, total / byShard.count)
            let order = byShard.keys.sorted { (byShard[$0]!.count, $1) > (byShard[$1]!.count, $0) }
            for key in order where victims.count < goal {
                var peers = byShard[key]!
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
        let removed = victims.map { store.entry($0).id }
        for peer in removed { deletePeer(peer) }
        let short = goal - removed.count
        return [
            .decision(
                Decision(
                    .storePruned, peers: removed, current: before, target: capacity, chosen: removed.count,
                    available: failed.count + shardless.count + sharded.count,
                    detail:
                        "\(before)/\(capacity) peers: pruned \(removed.count) (\(counts.failed) failed, \(counts.shardless) shardless, \(counts.overAverage) over shard average, \(counts.remaining) other)"
                        + (short > 0 ? "; \(short) over capacity are connected or protected" : "")))
        ]
    }
}
