import PeerIdentity

/// When the connectivity loop runs: nwaku's dynamic interval, computed when a round settles, and
/// the earlier wakes (overdue dials, the scheduled reconnect, a due redial).
extension PeerEngine {
    /// nwaku's dynamic sleep: `inFactor = 1 - min(excessIn / inTarget, 1)`,
    /// `outFactor = min(out / outTarget, 1)`, `max(base x min(inFactor, outFactor), floor)`.
    /// A zero target counts as satisfied (nwaku would divide by zero), and so does a full
    /// `--max-connections`: nothing can be dialled, so ticking at the floor would only repeat
    /// the refusal every second.
    public func nextInterval(now: EngineTime) -> Duration {
        let inbound = effectiveInboundRelay.count
        let outbound = outboundRelayClaims
        let excess = max(inbound - targets.inbound, 0)
        let inFactor = targets.inbound > 0 ? 1 - min(Double(excess) / Double(targets.inbound), 1) : (excess > 0 ? 0 : 1)
        let outFactor =
            targets.outbound > 0 && connectionRoom > 0 ? min(Double(outbound) / Double(targets.outbound), 1) : 1
        var interval = max(
            configuration.connectivityInterval * min(inFactor, outFactor), configuration.minimumConnectivityInterval)
        if let at = reconnectAt, at > now {
            interval = min(interval, max(at - now, configuration.minimumConnectivityInterval))
        }
        // A short shard whose dials are in flight is not left waiting a whole step when they
        // report (issue 14): a failed dial is replaced a second later.
        if coverageWanted, isOnline, coverageFloor > 0 { interval = configuration.minimumConnectivityInterval }
        return interval
    }

    /// When the server should run the next step.
    ///
    /// While a round's dials are in flight: when the first of them is overdue (the step expires
    /// it); the round's settling wakes the server earlier (``roundsSettled``). Otherwise the
    /// next round's time, brought forward to the scheduled reconnect and, while outbound relay
    /// slots are free, to the moment the first backed-off candidate may be redialled (a redial
    /// is not left waiting for the next round).
    public func nextWake(now: EngineTime) -> EngineTime {
        if !batchInFlight.isEmpty {
            return batchInFlight.compactMap { pending[$0]?.deadline }.min().map { max($0, now) } ?? now
        }
        var wake = nextRoundAt ?? now
        if let at = reconnectAt { wake = min(wake, max(at, now)) }
        if isOnline, outboundRelayClaims < targets.outbound, connectionRoom > 0, let due = earliestRedial(after: now) {
            wake = min(wake, due)
        }
        return wake
    }

    /// The earliest time after `now` at which a backed-off candidate leaves its backoff.
    func earliestRedial(after now: EngineTime) -> EngineTime? {
        var earliest: EngineTime?
        for handle in store.backedOffSet.elements {
            let entry = store.entry(handle)
            guard
                let due = backoff.earliestDial(
                    failures: Int(entry.failedAttempts), lastFailure: entry.lastFailedAttempt),
                due > now
            else { continue }
            if earliest.map({ due < $0 }) ?? true { earliest = due }
        }
        return earliest
    }

    /// A relay peer left (or was cut) and one of the subscribed shards is now below the floor:
    /// the next step runs now instead of up to a whole interval later (when no round is in
    /// flight; a round in flight settles soon and the step follows). `roundsSettled` is the
    /// server's signal to re-read ``nextWake(now:)``.
    mutating func coverageLost(now: EngineTime) {
        guard coverageFloor > 0, batchInFlight.isEmpty, isOnline,
            !ShardCoverage.needs(shardCoverageCounts(), floor: coverageFloor).isEmpty
        else { return }
        nextRoundAt = now
        roundsSettled &+= 1
    }

    /// The last dial of a round reported: the next round is due one dynamic interval from now,
    /// computed from the counts the round left (nwaku sleeps after awaiting its dials).
    mutating func settleRound(now: EngineTime) {
        nextRoundAt = now + nextInterval(now: now)
        roundsSettled &+= 1
    }
}
