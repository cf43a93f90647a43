import PeerIdentity

/// Sharded peer management (nwaku `manageRelayPeers`): the connectivity round per shard of ours.
extension PeerEngine {
    /// Sharded peer management (nwaku `manageRelayPeers`): per shard of ours, inbound target
    /// `max(1, in / shards)` and outbound target `max(1, out / shards)` (nwaku's plain integer
    /// division gives 0 with many shards, so nothing is ever dialled), counting the relay slots
    /// held on the shard, dialling relay-capable connectable peers of the shard.
    mutating func manageShards(
        now: EngineTime, using rng: inout some RandomNumberGenerator, into actions: inout [EngineAction]
    ) {
        guard let cluster = configuration.clusterID else { return }
        // Peers on none of our shards are in no shard's set: they go while all relay peers of a
        // direction exceed its global target.
        pruneOffShard(
            store.inboundRelaySet.elements, target: targets.inbound, direction: "in", reason: .inboundRelayPruned,
            now: now, into: &actions)
        pruneOutboundSurplus(now: now, into: &actions)
        let shards = Set(configuration.shards).sorted()
        let inTarget = shardInboundTarget
        let outTarget = shardOutboundTarget
        let canDial = isOnline && batchInFlight.isEmpty
        var toDial: [Int32] = []
        var chosen: Set<Int32> = []
        for shard in shards {
            let key = RelayShard(clusterID: cluster, shardID: shard).indexKey
            guard let members = store.shardSet(key) else {
                actions.append(
                    .decision(
                        Decision(
                            .noConnectableCandidates, current: 0, target: outTarget, available: 0,
                            detail: "shard \(cluster)/\(shard): no known peer")))
                continue
            }
            // Peers pruned for an earlier shard are pending disconnects by now: not counted again.
            let inbound = store.inboundRelaySet.elements.filter { members.contains($0) }
            pruneSurplus(
                inbound, target: inTarget, direction: "shard \(cluster)/\(shard): in",
                reason: .shardInboundPruned, now: now, into: &actions)
            let inboundCount = effectiveInboundRelay.count { members.contains($0) }
            let outbound = shardOutboundClaims(members) + chosen.count { members.contains($0) }
            guard outbound < outTarget, canDial else { continue }
            var candidates = members.elements.filter {
                !chosen.contains($0) && store.isKnownRelay(store.entry($0)) && isConnectable($0, now: now)
                    && !awaitsReconnect($0)
            }
            candidates.shuffle(using: &rng)
            let picked = candidates.prefix(outTarget - outbound)
            for handle in picked {
                chosen.insert(handle)
                toDial.append(handle)
            }
            actions.append(
                .decision(
                    Decision(
                        .shardOutboundFill, peers: picked.map { store.entry($0).id }, current: outbound,
                        target: outTarget,
                        chosen: picked.count, available: candidates.count,
                        detail:
                            "shard \(cluster)/\(shard): out relay \(outbound)/\(outTarget), "
                            + "in relay \(inboundCount)/\(inTarget), "
                            + "picking \(picked.count) of \(candidates.count) connectable"
                    )))
        }
        guard readyForRound(into: &actions) else { return }
        dialQueue = toDial.map { store.entry($0).id }
        dialShardBatch(now: now, into: &actions)
    }

    /// The per-shard targets: `max(1, target / shards)`.
    var shardInboundTarget: Int { max(1, targets.inbound / max(Set(configuration.shards).count, 1)) }
    var shardOutboundTarget: Int { max(1, targets.outbound / max(Set(configuration.shards).count, 1)) }

    /// Outbound relay slots held on one shard: connected relay and unknown-kind outbound
    /// members, and policy dials in flight to members.
    func shardOutboundClaims(_ members: HandleSet) -> Int {
        let connected = store.outboundRelaySet.elements.count {
            members.contains($0) && !pendingDisconnects.contains(store.entry($0).id)
        }
        let unknown = store.outboundUnknownSet.elements.count {
            members.contains($0) && !pendingDisconnects.contains(store.entry($0).id)
        }
        let dialled = dialing.count { dial in
            guard pending[dial.value]?.purpose != .request, !connections.isConnected(dial.key),
                let handle = store.handle(dial.key)
            else { return false }
            return members.contains(handle)
        }
        return connected + unknown + dialled
    }

    /// Whether one of our shards the peer is on still has outbound room (its per-shard target,
    /// not the global one).
    func shardWantsPeer(_ handle: Int32) -> Bool {
        guard let cluster = configuration.clusterID else { return false }
        for shard in Set(configuration.shards) {
            guard let members = store.shardSet(RelayShard(clusterID: cluster, shardID: shard).indexKey),
                members.contains(handle)
            else { continue }
            if shardOutboundClaims(members) < shardOutboundTarget { return true }
        }
        return false
    }

    /// The next sharded batch, as outcomes arrive: queued peers whose shard still has room.
    mutating func continueShardRound(now: EngineTime, into actions: inout [EngineAction]) {
        dialShardBatch(now: now, into: &actions)
    }

    /// Dials up to `maxParallelDials` queued peers (within `--max-connections`), each re-checked
    /// against its shard's own outbound target.
    mutating func dialShardBatch(now: EngineTime, into actions: inout [EngineAction]) {
        guard !dialQueue.isEmpty else { return }
        guard let allowed = dialAllowance(min(configuration.maxParallelDials, dialQueue.count), into: &actions)
        else {
            dialQueue = []
            return
        }
        var batch = 0
        while batch < allowed, !dialQueue.isEmpty {
            let peer = dialQueue.removeFirst()
            guard let handle = store.handle(peer), isConnectable(handle, now: now), !awaitsReconnect(handle),
                shardWantsPeer(handle)
            else { continue }
            dial(handle, purpose: .connectivity, now: now, into: &actions)
            batch += 1
        }
    }
}
