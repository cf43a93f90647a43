import PeerIdentity

/// The result of one connectivity-loop step.
public struct ConnectivityStep: Sendable {
    /// Commands and decisions of this step.
    public var actions: [EngineAction]
    /// When to run the next step: `max(base x min(inFactor, outFactor), floor)`, shortened to the
    /// pending reconnect of persisted peers.
    public var nextInterval: Duration
}

/// The connectivity loop (nwaku `relayConnectivityLoop`: `connectToRelayPeers`, or
/// `manageRelayPeers` in sharded mode), the reconnection of persisted peers, and the expiry of
/// overdue commands. The server calls ``PeerEngine/tick(now:using:)`` and sleeps
/// ``ConnectivityStep/nextInterval``.
extension PeerEngine {
    /// Runs one connectivity-loop step.
    ///
    /// Non-sharded: disconnect the youngest unprotected inbound relay peers above the inbound
    /// target; then, when online, no batch is in flight and outbound relay peers are below
    /// target, shuffle the connectable candidates (not connected, outside backoff, with addresses,
    /// relay or not yet known not to be), keep `min(candidates, target - out)` for this round and
    /// dial the first `maxParallelDials`. The rest are dialled batch by batch as outcomes arrive
    /// (in ``handle(_:now:)``), re-checking the outbound count each time.
    public mutating func tick(now: EngineTime, using rng: inout some RandomNumberGenerator) -> ConnectivityStep {
        var actions: [EngineAction] = []
        expireCommands(now: now, into: &actions)
        retryDisconnects(now: now, into: &actions)
        if let at = reconnectAt, now >= at, isOnline { reconnectCachedPeers(now: now, into: &actions) }
        if configuration.shardedPeerManagement {
            manageShards(now: now, using: &rng, into: &actions)
        } else {
            connectToRelayPeers(now: now, using: &rng, into: &actions)
        }
        flushPeerChanges(into: &actions)
        return ConnectivityStep(actions: actions, nextInterval: nextInterval(now: now))
    }

    /// nwaku's dynamic sleep: `inFactor = 1 - min(excessIn / inTarget, 1)`,
    /// `outFactor = min(out / outTarget, 1)`, `max(base x min(inFactor, outFactor), floor)`.
    /// A zero target counts as satisfied (nwaku would divide by zero).
    public func nextInterval(now: EngineTime) -> Duration {
        let inbound = effectiveInboundRelay.count
        let outbound = effectiveOutboundRelayCount
        let excess = max(inbound - targets.inbound, 0)
        let inFactor = targets.inbound > 0 ? 1 - min(Double(excess) / Double(targets.inbound), 1) : (excess > 0 ? 0 : 1)
        let outFactor = targets.outbound > 0 ? min(Double(outbound) / Double(targets.outbound), 1) : 1
        var interval = max(
            configuration.connectivityInterval * min(inFactor, outFactor), configuration.minimumConnectivityInterval)
        if let at = reconnectAt, at > now {
            interval = min(interval, max(at - now, configuration.minimumConnectivityInterval))
        }
        return interval
    }

    mutating func connectToRelayPeers(
        now: EngineTime, using rng: inout some RandomNumberGenerator, into actions: inout [EngineAction]
    ) {
        let inbound = effectiveInboundRelay
        if inbound.count > targets.inbound {
            pruneInbound(
                from: inbound, count: inbound.count - targets.inbound, current: inbound.count, target: targets.inbound,
                reason: .inboundRelayPruned, now: now, into: &actions)
        }
        guard isOnline else {
            actions.append(
                .decision(Decision(.offline, detail: "offline: not dialling, so peers do not go into backoff")))
            return
        }
        guard batchInFlight.isEmpty else {
            actions.append(
                .decision(
                    Decision(
                        .dialBatchInFlight, current: batchInFlight.count,
                        detail: "\(batchInFlight.count) dials of the current batch still in flight")))
            return
        }
        let outbound = effectiveOutboundRelayCount
        guard outbound < targets.outbound else {
            dialQueue = []
            actions.append(
                .decision(
                    Decision(
                        .outboundTargetMet, current: outbound, target: targets.outbound,
                        detail:
                            "out relay \(outbound)/\(targets.outbound), in relay \(inbound.count)/\(targets.inbound)")))
            return
        }
        let pool = connectablePool(now: now)
        guard pool.available > 0 else {
            dialQueue = []
            actions.append(
                .decision(
                    Decision(
                        .noConnectableCandidates, current: outbound, target: targets.outbound, available: 0,
                        detail: "out relay \(outbound)/\(targets.outbound), no connectable peer outside backoff")))
            return
        }
        let round = pool.sample(min(pool.available, targets.outbound - outbound), using: &rng)
        dialQueue = round.map { store.entry($0).id }
        dialNextBatch(current: outbound, available: pool.available, reason: .outboundFill, now: now, into: &actions)
    }

    /// Called when the last dial of a batch reports: the next batch of the round, if still needed.
    mutating func continueRound(now: EngineTime, into actions: inout [EngineAction]) {
        guard !dialQueue.isEmpty, isOnline else { return }
        let outbound = effectiveOutboundRelayCount
        guard outbound < targets.outbound else {
            dialQueue = []
            return
        }
        dialNextBatch(current: outbound, available: nil, reason: .outboundFill, now: now, into: &actions)
    }

    private mutating func dialNextBatch(
        current: Int, available: Int?, reason: DecisionReason, now: EngineTime, into actions: inout [EngineAction]
    ) {
        let wanted = min(configuration.maxParallelDials, targets.outbound - current)
        var batch: [PeerID] = []
        while batch.count < wanted, !dialQueue.isEmpty {
            let peer = dialQueue.removeFirst()
            // Re-check: the peer may have connected, failed, left the store or be dialled meanwhile.
            guard let handle = store.handle(peer), isConnectable(handle, now: now),
                !awaitsReconnect(handle)
            else { continue }
            dial(handle, purpose: .connectivity, now: now, into: &actions)
            batch.append(peer)
        }
        guard !batch.isEmpty else { return }
        let of = available.map { " of \($0) connectable" } ?? ", next batch of the round"
        actions.append(
            .decision(
                Decision(
                    reason, peers: batch, current: current, target: targets.outbound, chosen: batch.count,
                    available: available,
                    detail: "out relay \(current)/\(targets.outbound), dialing \(batch.count)\(of)")))
    }

    /// A persisted peer waits for its scheduled reconnection (the gossipsub prune backoff).
    func awaitsReconnect(_ handle: Int32) -> Bool {
        reconnectAt != nil && store.entry(handle).origin == .cache
    }

    /// Not connected, outside backoff, dialable addresses, not already being dialled.
    func isConnectable(_ handle: Int32, now: EngineTime) -> Bool {
        let entry = store.entry(handle)
        guard entry.connectedness != .connected, !entry.addresses.isEmpty, dialing[entry.id] == nil,
            !rejected.contains(entry.id)
        else { return false }
        return backoff.allowsDial(failures: Int(entry.failedAttempts), lastFailure: entry.lastFailedAttempt, now: now)
    }

    /// The relay dial candidates: every peer of the dialable index plus the backed-off peers
    /// whose backoff has elapsed, minus those being dialled.
    func connectablePool(now: EngineTime) -> CandidatePool {
        var extra: [Int32] = []
        for handle in store.backedOffSet.elements where isConnectable(handle, now: now) { extra.append(handle) }
        var excluded: Set<Int32> = []
        for peer in dialing.keys {
            if let handle = store.handle(peer), store.dialableSet.contains(handle) { excluded.insert(handle) }
        }
        for peer in rejected {
            if let handle = store.handle(peer), store.dialableSet.contains(handle) { excluded.insert(handle) }
        }
        if reconnectAt != nil {
            // Persisted peers wait for their scheduled reconnection (the gossipsub prune backoff).
            for handle in store.dialableSet.elements where store.entry(handle).origin == .cache {
                excluded.insert(handle)
            }
            extra.removeAll { store.entry($0).origin == .cache }
        }
        return CandidatePool(primary: store.dialableSet.elements, extra: extra, excluded: excluded)
    }

    /// Disconnects the youngest unprotected peers of `from` (least standing in the mesh; nwaku
    /// takes the first in connection-manager order).
    mutating func pruneInbound(
        from handles: [Int32], count: Int, current: Int, target: Int, reason: DecisionReason, now: EngineTime,
        into actions: inout [EngineAction]
    ) {
        let youngestFirst = handles.map { store.entry($0).id }
            .filter { !protection.isProtected($0) }
            .sorted { (connections.peers[$0]?.joinedAt ?? now) > (connections.peers[$1]?.joinedAt ?? now) }
        let chosen = Array(youngestFirst.prefix(count))
        for peer in chosen { policyDisconnect(peer, reason: reason, now: now, into: &actions) }
        actions.append(
            .decision(
                Decision(
                    reason, peers: chosen, current: current, target: target, chosen: chosen.count,
                    available: youngestFirst.count,
                    detail:
                        "in relay \(current)/\(target): disconnecting \(chosen.count) youngest of "
                        + "\(youngestFirst.count) unprotected"
                )))
    }

    /// Sharded peer management (nwaku `manageRelayPeers`): per shard of ours, inbound target
    /// `max(1, in / shards)` and outbound target `max(1, out / shards)` (nwaku's plain integer
    /// division gives 0 with many shards, so nothing is ever dialled), counting connected relay
    /// peers on the shard, dialling relay-capable connectable peers of the shard.
    mutating func manageShards(
        now: EngineTime, using rng: inout some RandomNumberGenerator, into actions: inout [EngineAction]
    ) {
        guard let cluster = configuration.clusterID else { return }
        let shards = Set(configuration.shards).sorted()
        let inTarget = max(1, targets.inbound / shards.count)
        let outTarget = max(1, targets.outbound / shards.count)
        let canDial = isOnline && batchInFlight.isEmpty
        var toDial: [Int32] = []
        var chosen: Set<Int32> = []
        var pruned: Set<PeerID> = []
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
            let inbound = effectiveInboundRelay.filter { members.contains($0) && !pruned.contains(store.entry($0).id) }
            if inbound.count > inTarget {
                let before = pendingDisconnects
                pruneInbound(
                    from: inbound, count: inbound.count - inTarget, current: inbound.count, target: inTarget,
                    reason: .shardInboundPruned, now: now, into: &actions)
                pruned.formUnion(pendingDisconnects.subtracting(before))
            }
            let outbound = store.outboundRelaySet.elements.count {
                members.contains($0) && !pendingDisconnects.contains(store.entry($0).id)
            }
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
                            + "in relay \(inbound.count)/\(inTarget), "
                            + "picking \(picked.count) of \(candidates.count) connectable"
                    )))
        }
        if !isOnline {
            actions.append(
                .decision(Decision(.offline, detail: "offline: not dialling, so peers do not go into backoff")))
            return
        }
        if !batchInFlight.isEmpty {
            actions.append(
                .decision(
                    Decision(
                        .dialBatchInFlight, current: batchInFlight.count,
                        detail: "\(batchInFlight.count) dials of the current batch still in flight")))
            return
        }
        dialQueue = []
        var batch: [PeerID] = []
        for (index, handle) in toDial.enumerated() {
            if index < configuration.maxParallelDials {
                dial(handle, purpose: .connectivity, now: now, into: &actions)
                batch.append(store.entry(handle).id)
            } else {
                // Later batches go out as outcomes arrive; the shard counts are re-read next tick.
                dialQueue.append(store.entry(handle).id)
            }
        }
    }

    /// Dials every persisted (`.cache`) relay peer that is not connected, not CannotConnect and
    /// outside backoff, all at once (logos-delivery #4029: one shared wait, then in parallel).
    mutating func reconnectCachedPeers(now: EngineTime, into actions: inout [EngineAction]) {
        reconnectAt = nil
        var dialed: [PeerID] = []
        for handle in store.handles.values {
            let entry = store.entry(handle)
            let relay =
                store.isKnownRelay(entry)
                || entry.protocols.contains { store.protocolNames[$0].hasPrefix(WakuCodec.relay) }
            guard entry.origin == .cache, entry.connectedness != .cannotConnect, relay, isConnectable(handle, now: now)
            else { continue }
            dial(handle, purpose: .reconnect, now: now, into: &actions)
            dialed.append(entry.id)
        }
        actions.append(
            .decision(
                Decision(
                    .reconnectDialed, peers: dialed, chosen: dialed.count,
                    detail: "reconnecting \(dialed.count) persisted relay peers in parallel")))
    }
}

/// Candidates for a dial round, sampled without copying the large dialable index.
struct CandidatePool {
    let primary: [Int32]
    let extra: [Int32]
    let excluded: Set<Int32>

    var available: Int { primary.count + extra.count - excluded.count }

    /// `count` distinct random candidates (uniform).
    func sample(_ count: Int, using rng: inout some RandomNumberGenerator) -> [Int32] {
        let total = primary.count + extra.count
        let count = min(count, available)
        guard count > 0 else { return [] }
        if count * 4 >= total {
            var all = (primary + extra).filter { !excluded.contains($0) }
            all.shuffle(using: &rng)
            return Array(all.prefix(count))
        }
        var seen: Set<Int> = []
        var chosen: [Int32] = []
        while chosen.count < count {
            let index = Int.random(in: 0..<total, using: &rng)
            guard seen.insert(index).inserted else { continue }
            let handle = index < primary.count ? primary[index] : extra[index - primary.count]
            if !excluded.contains(handle) { chosen.append(handle) }
        }
        return chosen
    }
}
