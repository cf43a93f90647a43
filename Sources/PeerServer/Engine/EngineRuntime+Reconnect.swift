import PeerCore
import PeerIdentity
import Synchronization

/// The Reconnect request: nwaku's `reconnectPeers` waits out the backoff since each peer's
/// disconnect before dialling it (``PeerEngine/reconnectPlan(protocolID:backoff:now:)``). Peers
/// whose backoff has passed are dialled at once; the others get one timer each, which dials them
/// at their time if they are still disconnected and a host is attached.
extension EngineRuntime {
    /// Dials or schedules the peers of a Reconnect request.
    ///
    /// - Returns: how many peers are dialled now or scheduled (a peer already scheduled by an
    ///   earlier request counts, but gets no second timer).
    func reconnect(protocolID: String) -> Int {
        var effects = Effects()
        let (count, later) = state.withLock { state -> (Int, [(PeerID, Duration)]) in
            let now = state.advanceTime(clock)
            effects.now = now
            let plan = state.engine.reconnectPlan(protocolID: protocolID, now: now)
            var actions: [EngineAction] = []
            var later: [(PeerID, Duration)] = []
            var count = 0
            for (peer, at) in plan {
                if at <= now {
                    let dial = state.engine.connect(peer, now: now)
                    if !dial.commands.isEmpty { count += 1 }
                    actions += dial
                } else {
                    count += 1
                    if state.scheduledReconnects.insert(peer).inserted { later.append((peer, at - now)) }
                }
            }
            route(actions, in: &state, effects: &effects)
            return (count, later)
        }
        deliver(effects)
        for (peer, wait) in later { scheduleReconnect(peer, after: wait) }
        return count
    }

    private func scheduleReconnect(_ peer: PeerID, after wait: Duration) {
        Task { [self] in
            try? await Task.sleep(for: wait)
            dialScheduledReconnect(peer)
        }
    }

    /// A scheduled reconnection is due: dialled unless the peer connected, left the books or is
    /// being dialled meanwhile, or no host is attached to carry the dial out. A peer that
    /// connected and left again meanwhile waits out the backoff since its new disconnect.
    private func dialScheduledReconnect(_ peer: PeerID) {
        var effects = Effects()
        let rest = state.withLock { state -> Duration? in
            let now = state.advanceTime(clock)
            effects.now = now
            if let wait = state.engine.reconnectWait(peer, now: now), wait > .zero { return wait }
            state.scheduledReconnects.remove(peer)
            guard state.host != nil, state.engine.store.connectedness(peer) != .connected else { return nil }
            route(state.engine.connect(peer, now: now), in: &state, effects: &effects)
            return nil
        }
        deliver(effects)
        if let rest { scheduleReconnect(peer, after: rest) }
    }
}
