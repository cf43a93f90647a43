import PeerIdentity

/// The host's session: who it is when it attaches, and what becomes of its connections and
/// commands when it goes away.
extension PeerEngine {
    /// The host attached (its hello).
    ///
    /// Its peer id becomes ``selfID`` (so it is never added as a peer), and a peer stored under
    /// that id before (added before the host attached, or a take-over host that was a known
    /// peer) is removed: the loop would dial the host itself and selection return it. Its cluster and shards are
    /// adopted when peerd's configuration names none: the host knows which network it is on. When
    /// the configuration names a different cluster the host is refused (`nil`), since every
    /// metadata verdict would then be wrong.
    ///
    /// - Returns: the actions, or `nil` when the host's cluster contradicts the configuration.
    public mutating func hostAttached(
        selfID: PeerID, clusterID: UInt16?, shards: [UInt16], online: Bool, now: EngineTime
    ) -> [EngineAction]? {
        guard admitsHost(clusterID: clusterID) else { return nil }
        self.selfID = selfID
        hostGone = false
        if configuration.clusterID == nil, let clusterID { configuration.clusterID = clusterID }
        if configuration.shards.isEmpty, !shards.isEmpty { configuration.shards = Array(Set(shards)).sorted() }
        var actions = handle(.networkReachability(online: online), now: now)
        if store.contains(selfID), !rejected.contains(selfID) {
            deletePeer(selfID)
            actions.append(
                .decision(
                    Decision(
                        .peerRemoved, peer: selfID, current: store.count,
                        detail: "the host's own peer id is not managed as a peer")))
        }
        actions.append(
            .decision(
                Decision(
                    .hostAttached, peer: selfID,
                    detail:
                        "host attached; cluster \(configuration.clusterID.map(String.init) ?? "none"), shards \(configuration.shards)"
                )))
        flushPeerChanges(into: &actions)
        return actions
    }

    /// The host went away: every connection it reported is closed (peers become CanConnect, not
    /// stuck Connected) and every command it held is dropped.
    ///
    /// Dropped dials do not count as failures: the peer did nothing wrong, and counting them would
    /// push every peer being dialled into backoff whenever the host restarts. The engine is offline
    /// until a host attaches again, so it issues no commands nobody would carry out.
    public mutating func hostDetached(now: EngineTime) -> [EngineAction] {
        var actions: [EngineAction] = []
        let dropped = pending.count
        pending.removeAll()
        dialing.removeAll()
        batchInFlight.removeAll()
        dialQueue.removeAll()
        pendingDisconnects.removeAll()
        policyDisconnects.removeAll()
        hostGone = true
        let open = connections.openConnectionIDs
        for id in open { actions += handle(.connectionClosed(id), now: now) }
        actions += handle(.networkReachability(online: false), now: now)
        actions.append(
            .decision(
                Decision(
                    .hostDetached, current: open.count, chosen: dropped,
                    detail: "host detached: \(open.count) connections closed, \(dropped) commands dropped")))
        flushPeerChanges(into: &actions)
        return actions
    }

    /// Whether a command the engine issued is still waiting for its result.
    public func isPending(_ id: CommandID) -> Bool { pending[id] != nil }
}
