import PeerIdentity

/// The result of one connectivity-loop step.
public struct ConnectivityStep: Sendable {
    /// Commands and decisions of this step.
    public var actions: [EngineAction]
    /// The dynamic interval from the counts this step left: `max(base x min(inFactor, outFactor),
    /// floor)`, shortened to the pending reconnect of persisted peers. While the round's dials are
    /// in flight the server waits for them instead (``PeerEngine/nextWake(now:)``).
    public var nextInterval: Duration
}

/// The connectivity loop (nwaku `relayConnectivityLoop`: `connectToRelayPeers`, or
/// `manageRelayPeers` in sharded mode), the reconnection of persisted peers, and the expiry of
/// overdue commands. The server calls ``PeerEngine/tick(now:using:)`` and sleeps until
/// ``PeerEngine/nextWake(now:)``.
extension PeerEngine {
    /// Runs one connectivity-loop step.
    ///
    /// Non-sharded: disconnect the surplus of each direction (``RelaySurplus``); then, when
    /// online, no batch is in flight and the outbound relay slots held (``outboundRelayClaims``)
    /// are below target, shuffle the connectable candidates (not connected, outside backoff, with
    /// addresses, relay or not yet known not to be), keep `min(candidates, target - held)` for
    /// this round and dial the first `maxParallelDials`, never more than `--max-connections`
    /// allows. The rest are dialled batch by batch as outcomes arrive (in ``handle(_:now:)``),
    /// re-checking the count each time.
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
        let interval = nextInterval(now: now)
        // A round in flight settles later and sets the time then (``settleRound(now:)``).
        nextRoundAt = batchInFlight.isEmpty ? now + interval : nil
        return ConnectivityStep(actions: actions, nextInterval: interval)
    }

    /// Whether a dial round may start: online, and the last batch all reported. When not, the
    /// decision that says why is recorded.
    func readyForRound(into actions: inout [EngineAction]) -> Bool {
        guard isOnline else {
            actions.append(.decision(offlineDecision))
            return false
        }
        guard batchInFlight.isEmpty else {
            actions.append(.decision(batchInFlightDecision))
            return false
        }
        return true
    }

    var offlineDecision: Decision {
        Decision(.offline, detail: "offline: not dialling, so peers do not go into backoff")
    }

    var batchInFlightDecision: Decision {
        Decision(
            .dialBatchInFlight, current: batchInFlight.count,
            detail: "\(batchInFlight.count) dials of the current batch still in flight")
    }

    /// The non-sharded round: plans it (``ConnectivityPlan``) from the engine's counts and
    /// candidates, and applies the plan.
    mutating func connectToRelayPeers(
        now: EngineTime, using rng: inout some RandomNumberGenerator, into actions: inout [EngineAction]
    ) {
        let plan: ConnectivityPlan
        do {
            // The spread reads the engine through a copy (an optional closure escapes, and
            // cannot capture a mutating `self`); the copy ends with this block, before `apply`
            // mutates the store, so nothing is copied on write.
            let engine = self
            plan = ConnectivityPlan.make(
                connectivityView(now: now), pool: { connectablePool(now: now) },
                spread: configuration.dialSpread ? { engine.spreadOrder($0, count: $1) } : nil, using: &rng)
        }
        apply(plan, now: now, into: &actions)
        if coverageFloor > 0, isOnline { coverShortShards(now: now, using: &rng, into: &actions) }
    }

    /// What the non-sharded round reads, as of now.
    func connectivityView(now: EngineTime) -> ConnectivityPlan.View {
        // The outbound candidates only when over target: below it there is nothing to prune.
        let outbound =
            store.outboundRelaySet.elements.count > targets.outbound
            ? surplusCandidates(store.outboundRelaySet.elements, now: now) : []
        var view = ConnectivityPlan.View(
            online: isOnline, batchInFlight: batchInFlight.count,
            inbound: surplusCandidates(store.inboundRelaySet.elements, now: now), inboundTarget: targets.inbound,
            outbound: outbound, outboundRelay: effectiveOutboundRelayCount,
            outboundOtherClaims: unknownOutboundCount + policyDialsInFlight, outboundTarget: targets.outbound)
        view.dialPercent = configuration.dialOversubscriptionPercent
        return view
    }

    /// Disconnects the plan's surplus, records why, and starts the fill.
    mutating func apply(_ plan: ConnectivityPlan, now: EngineTime, into actions: inout [EngineAction]) {
        for surplus in plan.surplus { apply(surplus, now: now, into: &actions) }
        switch plan.fill {
        case .offline:
            actions.append(.decision(offlineDecision))
        case .batchInFlight:
            actions.append(.decision(batchInFlightDecision))
        case .targetMet(let outbound, let inbound):
            dialQueue = []
            actions.append(
                .decision(
                    Decision(
                        .outboundTargetMet, current: outbound, target: targets.outbound,
                        detail: "out relay \(outbound)/\(targets.outbound), in relay \(inbound)/\(targets.inbound)")))
        case .noCandidates(let outbound):
            dialQueue = []
            actions.append(
                .decision(
                    Decision(
                        .noConnectableCandidates, current: outbound, target: targets.outbound, available: 0,
                        detail: "out relay \(outbound)/\(targets.outbound), no connectable peer outside backoff")))
        case .dial(let queue, let outbound, let available):
            dialQueue = queue.map { store.entry($0).id }
            dialNextBatch(
                current: outbound, available: available, reason: .outboundFill, spread: plan.spread, now: now,
                into: &actions)
        }
    }

    /// Prunes the outbound relay surplus as soon as identify or a relay stream reveals one (the
    /// outbound counterpart of the inbound cap at join): the loop may sleep 30 s at target.
    mutating func pruneOutboundSurplus(now: EngineTime, into actions: inout [EngineAction]) {
        // Off-shard peers included: they hold no slot but are the first to go when over target.
        guard store.outboundRelaySet.elements.count > targets.outbound else { return }
        if configuration.shardedPeerManagement {
            // Per-shard targets may add up to more than the global one: only off-shard peers go.
            pruneOffShard(
                store.outboundRelaySet.elements, target: targets.outbound, direction: "out",
                reason: .outboundRelayPruned, now: now, into: &actions)
            return
        }
        pruneSurplus(
            store.outboundRelaySet.elements, target: targets.outbound, direction: "out", reason: .outboundRelayPruned,
            now: now, into: &actions)
    }

    /// Disconnects off-shard relay peers of one direction while all its relay peers exceed
    /// `target` (``ShardPlan/offShardSurplus(_:target:direction:reason:)``).
    mutating func pruneOffShard(
        _ handles: [Int32], target: Int, direction: String, reason: DecisionReason, now: EngineTime,
        into actions: inout [EngineAction]
    ) {
        guard handles.contains(where: sharesNoShard) else { return }
        guard
            let surplus = ShardPlan.offShardSurplus(
                surplusCandidates(handles, now: now), target: target, direction: direction, reason: reason)
        else { return }
        apply(surplus, now: now, into: &actions)
    }

    /// Disconnects the surplus of one direction's relay peers (``RelaySurplus``).
    mutating func pruneSurplus(
        _ handles: [Int32], target: Int, direction: String, reason: DecisionReason,
        now: EngineTime, into actions: inout [EngineAction]
    ) {
        let candidates = surplusCandidates(handles, now: now)
        guard
            let surplus = ConnectivityPlan.Surplus.of(candidates, target: target, direction: direction, reason: reason)
        else { return }
        apply(surplus, now: now, into: &actions)
    }

    /// Disconnects one direction's surplus and records the decision.
    mutating func apply(_ surplus: ConnectivityPlan.Surplus, now: EngineTime, into actions: inout [EngineAction]) {
        var plan = surplus.plan
        if coverageFloor > 0, !plan.chosen.isEmpty {
            // Peers that together would take a shard below the floor do not all go.
            plan.chosen = sparedByCoverage(plan.chosen)
            guard !plan.chosen.isEmpty else { return }
        }
        for peer in plan.chosen { policyDisconnect(peer, reason: surplus.reason, now: now, into: &actions) }
        actions.append(
            .decision(
                Decision(
                    surplus.reason, peers: plan.chosen, current: surplus.held, target: surplus.target,
                    chosen: plan.chosen.count, available: plan.unprotected,
                    detail:
                        "\(surplus.direction) relay \(surplus.held)/\(surplus.target): disconnecting "
                        + "\(plan.chosen.count) youngest of \(plan.unprotected) unprotected"
                        + (surplus.offShard > 0 ? " (\(surplus.offShard) sharing no shard with us go first)" : "")
                )))
    }

    /// Called when the last dial of a batch reports: the next batch of the round, if still
    /// needed; when none goes out, the round has settled.
    mutating func continueRound(now: EngineTime, into actions: inout [EngineAction]) {
        defer { if batchInFlight.isEmpty { settleRound(now: now) } }
        guard !dialQueue.isEmpty, isOnline else { return }
        if configuration.shardedPeerManagement {
            continueShardRound(now: now, into: &actions)
            return
        }
        let outbound = outboundRelayClaims
        guard outbound < targets.outbound else {
            dialQueue = []
            return
        }
        dialNextBatch(current: outbound, available: nil, reason: .outboundFill, now: now, into: &actions)
    }

    private mutating func dialNextBatch(
        current: Int, available: Int?, reason: DecisionReason, spread: DialSpread.Order? = nil, now: EngineTime,
        into actions: inout [EngineAction]
    ) {
        let wanted = min(
            configuration.maxParallelDials,
            ShardCoverage.oversubscribed(
                targets.outbound - current, percent: configuration.dialOversubscriptionPercent))
        guard let allowed = dialAllowance(wanted, into: &actions) else {
            dialQueue = []
            return
        }
        var batch: [PeerID] = []
        while batch.count < allowed, !dialQueue.isEmpty {
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
                    detail: "out relay \(current)/\(targets.outbound), dialing \(batch.count)\(of)"
                        + (spread.map(Self.spreadNote) ?? ""))))
    }

    /// The decision's note when the spread changed the queue: how many candidates a random
    /// order would have queued were passed over, and how many groups the queue covers.
    static func spreadNote(_ order: DialSpread.Order) -> String {
        guard order.passedOver > 0 else { return "" }
        return "; spread: \(order.passedOver) passed over for a network group or origin already used, "
            + "queue of \(order.queue.count) over \(order.groups) network groups"
    }

    /// How many of `wanted` dials `--max-connections` leaves room for; `nil` (with a decision)
    /// when there is none.
    func dialAllowance(_ wanted: Int, freed: Int = 0, into actions: inout [EngineAction]) -> Int? {
        let room = connectionRoom + freed
        guard wanted > 0, room == 0 else { return min(wanted, room) }
        actions.append(
            .decision(
                Decision(
                    .maxConnectionsReached, current: connections.peers.count + dialsInFlight,
                    target: configuration.maxConnections,
                    detail:
                        "\(connections.peers.count) connected and \(dialsInFlight) dials in flight reach "
                        + "--max-connections \(configuration.maxConnections): not dialling")))
        return nil
    }

    /// A persisted peer waits for its scheduled reconnection (the gossipsub prune backoff).
    func awaitsReconnect(_ handle: Int32) -> Bool {
        reconnectAt != nil && store.entries[Int(handle)].origin == .cache
    }

    /// Not connected, outside backoff, dialable addresses, not already being dialled.
    func isConnectable(_ handle: Int32, now: EngineTime) -> Bool {
        let entry = store.entry(handle)
        guard entry.connectedness != .connected, !entry.addresses.isEmpty, dialing[entry.id] == nil,
            !rejected.contains(entry.id), cooldowns.isEmpty || cooldowns.allows(entry.id, now: now)
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

    /// Dials every persisted (`.cache`) relay peer that is not connected, not CannotConnect and
    /// outside backoff, all at once (logos-delivery #4029: one shared wait, then in parallel).
    mutating func reconnectCachedPeers(now: EngineTime, into actions: inout [EngineAction]) {
        reconnectAt = nil
        var dialed: [PeerID] = []
        var room = connectionRoom
        for handle in store.handles.values {
            let entry = store.entry(handle)
            let relay =
                store.isKnownRelay(entry)
                || entry.protocols.contains { store.protocolNames[$0].hasPrefix(WakuCodec.relay) }
            guard entry.origin == .cache, entry.connectedness != .cannotConnect, relay, isConnectable(handle, now: now)
            else { continue }
            // Never past --max-connections: the rest wait for the connectivity loop.
            guard room > 0 else { break }
            room -= 1
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
