import PeerIdentity

/// The Reconnect request (nwaku `reconnectPeers(proto, backoff)`): each disconnected peer is
/// dialled once the backoff since its disconnect time has passed. nwaku (2024) computes
/// `disconnectTime + backoff - now` per peer and sleeps the rest before dialling; peerd schedules
/// each dial at that time instead of sleeping serially.
extension PeerEngine {
    /// How long a peer disconnected at `disconnectedAt` still waits before a reconnection dial:
    /// the rest of `backoff`, or zero once it has passed. A peer never disconnected (nwaku stores
    /// 0, the epoch) waits nothing, as in nwaku where `0 + backoff - now` is negative.
    public static func reconnectWait(disconnectedAt: EngineTime?, backoff: Duration, now: EngineTime) -> Duration {
        guard let disconnectedAt, disconnectedAt > .epoch else { return .zero }
        return max(disconnectedAt + backoff - now, .zero)
    }

    /// The peers a Reconnect request dials and when: every stored peer (with a protocol starting
    /// with `protocolID`, nwaku's `protocolMatcher`; every peer when empty) that is not connected, not being dialled and outside its failure backoff,
    /// at its disconnect time plus `backoff` (default ``EngineConfiguration/reconnectBackoff``,
    /// the gossipsub prune backoff nwaku passes at relay start), or now if that has passed.
    /// Sorted by time, then peer.
    public func reconnectPlan(
        protocolID: String, backoff: Duration? = nil, now: EngineTime
    ) -> [(peer: PeerID, at: EngineTime)] {
        let backoff = backoff ?? configuration.reconnectBackoff
        let peers = protocolID.isEmpty ? store.records().map(\.id) : store.peers(withProtocolPrefix: protocolID)
        var plan: [(peer: PeerID, at: EngineTime)] = []
        for peer in peers where !connections.isConnected(peer) && dialing[peer] == nil {
            guard canBeConnected(peer, now: now).allowed, let wait = reconnectWait(peer, backoff: backoff, now: now)
            else { continue }
            plan.append((peer, now + wait))
        }
        return plan.sorted { $0.at != $1.at ? $0.at < $1.at : $0.peer < $1.peer }
    }

    /// How long a stored peer still waits before a reconnection dial (`nil` when not stored): a
    /// scheduled dial asks again when it is due, since the peer may have connected and left again.
    public func reconnectWait(_ peer: PeerID, backoff: Duration? = nil, now: EngineTime) -> Duration? {
        guard let handle = store.handle(peer) else { return nil }
        return Self.reconnectWait(
            disconnectedAt: store.entry(handle).disconnectTime, backoff: backoff ?? configuration.reconnectBackoff,
            now: now)
    }
}
