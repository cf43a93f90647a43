import PeerIdentity

/// The shard floor (``EngineConfiguration/shardCoverageFloor``): the engine's side of
/// ``ShardCoverage``. It reads the shards a peer serves from its ENR or its metadata answer, in
/// our cluster and among our subscribed shards.
extension PeerEngine {
    /// The floor in force: 0 when off, in sharded mode (whose per-shard targets rule there), or
    /// when the floors do not fit in `--max-connections` (shards adopted from the host's hello
    /// skip validation).
    public var coverageFloor: Int {
        let floor = configuration.shardCoverageFloor ?? EngineConfiguration.defaultShardCoverageFloor
        guard floor > 0, configuration.clusterID != nil, !configuration.shards.isEmpty,
            !configuration.shardedPeerManagement, floor * configuration.shards.count <= configuration.maxConnections
        else { return 0 }
        return floor
    }

    /// The subscribed shards the peer serves (ENR or metadata, our cluster).
    func subscribedShards(of handle: Int32) -> [UInt16] {
        guard let cluster = configuration.clusterID else { return [] }
        // Read in place: a short shard's step asks this of every candidate in the store (100k
        // at most), and copying the entry out retained every book of each peer (a quarter of
        // such a step's time at 100k peers).
        let slot = Int(handle)
        var result: [UInt16] = []
        appendSubscribed(store.entries[slot].enr?.relayShards, cluster: cluster, to: &result)
        appendSubscribed(store.entries[slot].metadataShards, cluster: cluster, to: &result)
        return result
    }

    private func appendSubscribed(_ shards: RelayShards?, cluster: UInt16, to result: inout [UInt16]) {
        guard let shards, shards.clusterID == cluster else { return }
        for id in shards.shardIDs where configuration.shards.contains(id) && !result.contains(id) {
            result.append(id)
        }
    }

    /// Connected relay peers of both directions, not being disconnected, per subscribed shard.
    func shardCoverageCounts() -> [UInt16: Int] {
        var peers: [[UInt16]] = []
        for handle in store.inboundRelaySet.elements + store.outboundRelaySet.elements
        where !pendingDisconnects.contains(store.entry(handle).id) {
            peers.append(subscribedShards(of: handle))
        }
        return ShardCoverage.counts(peers, subscribed: configuration.shards)
    }

    /// Whether one of the peer's subscribed shards would go below the floor without it.
    func isScarce(_ handle: Int32, coverage: [UInt16: Int]) -> Bool {
        ShardCoverage.isScarce(subscribedShards(of: handle), counts: coverage, floor: coverageFloor)
    }

    /// Raises the alarm (``DecisionReason/shardBelowFloor``) while a subscribed shard is short,
    /// and dials known relay peers of the subscribed shards below the floor, beyond the outbound
    /// target if need be (within `--max-connections`): nwaku fills one global count, so a thin
    /// shard can stay silent while the node is "at target" (nwaku #4064, #4114). Dials in flight
    /// count toward their shards, so a shard is not dialled for twice.
    mutating func coverShortShards(
        now: EngineTime, using rng: inout some RandomNumberGenerator, into actions: inout [EngineAction]
    ) {
        let connected = shardCoverageCounts()
        var counts = connected
        for peer in dialing.keys {
            guard let handle = store.handle(peer) else { continue }
            for shard in subscribedShards(of: handle) { counts[shard]? += 1 }
        }
        let short = ShardCoverage.needs(connected, floor: coverageFloor)
        coverageWanted = false
        guard !short.isEmpty else { return }
        let needs = ShardCoverage.needs(counts, floor: coverageFloor)
        let pool = connectablePool(now: now)
        func eligible(_ handle: Int32) -> Bool {
            store.isKnownRelay(store.entries[Int(handle)]) && !awaitsReconnect(handle)
        }
        // The alarm (a log line, a Watch event and peerd_engine_decisions_total{reason}): every
        // step while a subscribed shard is short, with what could fill it. Counted without a
        // draw, so the alarm never changes which peers are dialled.
        // The count walks every connectable candidate (the whole store at worst, under the engine
        // lock, once a second while the short shards' dials are in flight), so it reads each
        // peer's shards in place and allocates nothing per peer: 128 -> 8 ms a step at 100k peers
        // (engine-bench, "8 shards short").
        let cluster = configuration.clusterID
        var shortPosition: [UInt16: Int] = [:]
        for (position, need) in short.enumerated() { shortPosition[need.shard] = position }
        var perShort = Array(repeating: 0, count: short.count)
        // The candidate last counted on each short shard: a shard named by both the ENR and the
        // metadata answer counts once.
        var countedLast = Array(repeating: Int32(-1), count: short.count)
        func countShort(_ shards: RelayShards?, of handle: Int32) -> Bool {
            guard let shards, shards.clusterID == cluster else { return false }
            var counted = false
            for id in shards.shardIDs {
                guard let position = shortPosition[id], countedLast[position] != handle else { continue }
                countedLast[position] = handle
                perShort[position] += 1
                counted = true
            }
            return counted
        }
        var serving = 0
        for part in [pool.primary, pool.extra] {
            for handle in part where !pool.excluded.contains(handle) && eligible(handle) {
                let slot = Int(handle)
                let byENR = countShort(store.entries[slot].enr?.relayShards, of: handle)
                let byMetadata = countShort(store.entries[slot].metadataShards, of: handle)
                if byENR || byMetadata { serving += 1 }
            }
        }
        var servingPerShard: [UInt16: Int] = [:]
        for (position, need) in short.enumerated() where perShort[position] > 0 {
            servingPerShard[need.shard] = perShort[position]
        }
        let list = short.map { "\($0.shard) (\(coverageFloor - $0.missing) peers)" }.joined(separator: ", ")
        actions.append(
            .decision(
                Decision(
                    .shardBelowFloor, current: coverageFloor - (short.first?.missing ?? 0), target: coverageFloor,
                    available: serving,
                    detail:
                        "subscribed shards below the floor of \(coverageFloor): \(list); "
                        + "\(serving) connectable candidates serve them"
                        + (serving == 0 ? " (none known: discovery must find some)" : ""))))
        // While the short shards' dials are in flight, the loop comes back at its shortest
        // interval once they report (``nextInterval(now:)``) rather than at the next 30 s step,
        // so a failed dial is replaced in seconds. Not when nothing could be dialled (no
        // candidate, no room): the alarm would repeat every second for nothing.
        guard !needs.isEmpty else {
            coverageWanted = true
            return
        }
        requestDiscovery(needs: needs, candidates: servingPerShard, now: now, into: &actions)
        let candidates = pool.sample(pool.available, using: &rng).filter(eligible)
        // Oversubscribed as the outbound round is: a third of the known peers are offline or
        // unreachable, and each such dial holds the shard short until it times out.
        let picked: [Int]
        do {
            // Lazily: the pick stops once the short shards have their dials, so only the
            // candidates it walks have their shards read. The lazy map escapes, so it reads a
            // copy of the engine, which ends with this block, before any mutation (no
            // copy-on-write of the store).
            let engine = self
            picked = ShardCoverage.pick(
                candidates.lazy.map { engine.subscribedShards(of: $0) }, needs: needs,
                percent: configuration.dialOversubscriptionPercent)
        }
        guard !picked.isEmpty else { return }
        // At --max-connections the short shard's dials take the places of inbound relay peers
        // the subscribed shards can spare (the youngest first), one per dial: otherwise inbound
        // and service peers hold every connection and the shard waits for one to leave.
        let freed =
            connectionRoom < picked.count
            ? makeRoomForCoverage(picked.count - connectionRoom, now: now, into: &actions) : 0
        guard let allowed = dialAllowance(picked.count, freed: freed, into: &actions) else { return }
        var dialed: [PeerID] = []
        for index in picked.prefix(allowed) where isConnectable(candidates[index], now: now) {
            dial(candidates[index], purpose: .connectivity, now: now, into: &actions)
            dialed.append(store.entry(candidates[index]).id)
        }
        guard !dialed.isEmpty else { return }
        coverageWanted = true
        let missing = needs.map { "\($0.shard) needs \($0.missing)" }.joined(separator: ", ")
        actions.append(
            .decision(
                Decision(
                    .shardOutboundFill, peers: dialed, target: coverageFloor, chosen: dialed.count,
                    available: candidates.count,
                    detail: "shards below the floor of \(coverageFloor) (\(missing)): dialing \(dialed.count)")))
    }

    /// The peers of a surplus plan that may go together without a subscribed shard going below
    /// the floor (``ShardCoverage/spareable(_:counts:floor:)``), in order.
    func sparedByCoverage(_ chosen: [PeerID]) -> [PeerID] {
        let shards = chosen.map { store.handle($0).map(subscribedShards(of:)) ?? [] }
        return ShardCoverage.spareable(shards, counts: shardCoverageCounts(), floor: coverageFloor).map { chosen[$0] }
    }

    /// Disconnects up to `count` inbound relay peers no subscribed shard needs (the youngest
    /// unprotected, off-shard first; ``RelaySurplus``) to make room for a short shard's dials.
    /// Returns how many go.
    mutating func makeRoomForCoverage(_ count: Int, now: EngineTime, into actions: inout [EngineAction]) -> Int {
        let candidates = surplusCandidates(store.inboundRelaySet.elements, now: now)
        guard
            let surplus = ConnectivityPlan.Surplus.of(
                candidates, target: max(candidates.count - count, 0), direction: "in (room for a short shard)",
                reason: .shardInboundPruned)
        else { return 0 }
        let going = sparedByCoverage(surplus.plan.chosen).count
        apply(surplus, now: now, into: &actions)
        return going
    }

    /// Asks the host to discover peers of the short shards the store knows too few connectable
    /// peers of (go-waku discovers on demand per topic; nwaku never asks, so a thin shard stays
    /// thin until its random discv5 walk happens on one). Rate-limited per shard by
    /// ``EngineConfiguration/discoveryRequestInterval``, one request per shard in flight.
    mutating func requestDiscovery(
        needs: [(shard: UInt16, missing: Int)], candidates: [UInt16: Int], now: EngineTime,
        into actions: inout [EngineAction]
    ) {
        guard let interval = configuration.discoveryRequestInterval, let cluster = configuration.clusterID,
            !hostGone
        else { return }
        let requests = ShardCoverage.discoveryRequests(
            needs: needs.filter { discoveryInFlight[$0.shard] == nil }, candidates: candidates,
            lastRequested: lastDiscoveryRequest, now: now, interval: interval,
            percent: configuration.dialOversubscriptionPercent)
        for request in requests {
            let id = issue(
                .requestDiscovery(clusterID: cluster, shard: request.shard, wanted: request.wanted),
                timeout: EngineConfiguration.discoveryRequestTimeout, now: now, into: &actions)
            discoveryInFlight[request.shard] = id
            lastDiscoveryRequest[request.shard] = now
            let known = candidates[request.shard] ?? 0
            actions.append(
                .decision(
                    Decision(
                        .discoveryRequested, target: coverageFloor, chosen: request.wanted, available: known,
                        detail:
                            "shard \(cluster)/\(request.shard) is below the floor of \(coverageFloor) with "
                            + "\(known) connectable candidates: asking the host (\(id)) to discover "
                            + "\(request.wanted) more; next request in \(interval.secondsText) at the earliest")))
        }
    }
}
