import PeerIdentity

/// Sharded peer management (nwaku `manageRelayPeers`): the engine's side of ``ShardPlan``, the
/// connectivity round per shard of ours. The round is planned from the engine's books, applied
/// here, and its queue dialled batch by batch as outcomes arrive.
extension PeerEngine {
    /// Plans the sharded round (``ShardPlan``) and applies it.
    mutating func manageShards(
        now: EngineTime, using rng: inout some RandomNumberGenerator, into actions: inout [EngineAction]
    ) {
        guard let cluster = configuration.clusterID else { return }
        let view = shardView(cluster: cluster, now: now)
        // One lookup per shard of ours; the plan asks about membership by the shard's index.
        let members = view.shards.map { store.shardSet(RelayShard(clusterID: cluster, shardID: $0.shard).indexKey) }
        let plan = ShardPlan.make(
            view, isMember: { members[$1]?.contains($0) ?? false },
            connectable: { index in
                (members[index]?.elements ?? []).filter {
                    store.isKnownRelay(store.entry($0)) && isConnectable($0, now: now) && !awaitsReconnect($0)
                }
            }, using: &rng)
        apply(plan, cluster: cluster, now: now, into: &actions)
    }

    /// What the sharded round reads, as of now.
    func shardView(cluster: UInt16, now: EngineTime) -> ShardPlan.View {
        // The outbound candidates only when over target: below it there is nothing to prune.
        let outbound =
            store.outboundRelaySet.elements.count > targets.outbound
            ? surplusCandidates(store.outboundRelaySet.elements, now: now) : []
        let shards = Set(configuration.shards).sorted().map { shard in
            guard let members = store.shardSet(RelayShard(clusterID: cluster, shardID: shard).indexKey) else {
                return ShardPlan.Shard(shard: shard, known: false)
            }
            return ShardPlan.Shard(
                shard: shard,
                inbound: surplusCandidates(store.inboundRelaySet.elements.filter { members.contains($0) }, now: now),
                outboundClaims: shardOutboundClaims(members))
        }
        return ShardPlan.View(
            cluster: cluster, online: isOnline, batchInFlight: batchInFlight.count,
            inbound: surplusCandidates(store.inboundRelaySet.elements, now: now), inboundTarget: targets.inbound,
            outbound: outbound, outboundTarget: targets.outbound, shardInboundTarget: shardInboundTarget,
            shardOutboundTarget: shardOutboundTarget, shards: shards)
    }

    /// Carries out the plan's steps in order (disconnects and decisions), then starts the round.
    mutating func apply(_ plan: ShardPlan, cluster: UInt16, now: EngineTime, into actions: inout [EngineAction]) {
        let inTarget = shardInboundTarget
        let outTarget = shardOutboundTarget
        for step in plan.steps {
            switch step {
            case .surplus(let surplus):
                apply(surplus, now: now, into: &actions)
            case .unknownShard(let shard):
                actions.append(
                    .decision(
                        Decision(
                            .noConnectableCandidates, current: 0, target: outTarget, available: 0,
                            detail: "shard \(cluster)/\(shard): no known peer")))
            case .fill(let shard, let picked, let outbound, let inbound, let available):
                actions.append(
                    .decision(
                        Decision(
                            .shardOutboundFill, peers: picked.map { store.entry($0).id }, current: outbound,
                            target: outTarget, chosen: picked.count, available: available,
                            detail:
                                "shard \(cluster)/\(shard): out relay \(outbound)/\(outTarget), "
                                + "in relay \(inbound)/\(inTarget), "
                                + "picking \(picked.count) of \(available) connectable"
                        )))
            }
        }
        switch plan.round {
        case .offline:
            actions.append(.decision(offlineDecision))
        case .batchInFlight:
            actions.append(.decision(batchInFlightDecision))
        case .dial(let queue):
            dialQueue = queue.map { store.entry($0).id }
            dialShardBatch(now: now, into: &actions)
        }
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
