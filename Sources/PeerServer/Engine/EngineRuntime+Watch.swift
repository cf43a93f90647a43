import PeerCore
import Synchronization

/// Watch streams: each step's events are queued for every watcher under the engine's lock, so
/// every watcher sees them in the engine's order; the Watch service encodes them after it.
extension EngineRuntime {
    /// A Watch stream, registered until ``endWatch(_:)``.
    struct WatchRegistration: Sendable {
        let id: Int
        let queue: WatchQueue<WatchItem>
    }

    /// Registers a watcher. Its queue fails with RESOURCE_EXHAUSTED once its reader is more than
    /// ``SessionLimits/watchQueueLimit`` events behind, so a slow watcher never slows the engine or
    /// other clients.
    ///
    /// - Throws: ``PeerManagerError/exhausted(_:)`` when ``SessionLimits/maxWatchStreams`` streams
    ///   are open.
    func watch(decisions: Bool, peerEvents: Bool, connectionStatus: Bool = false) throws -> WatchRegistration {
        let queue = WatchQueue<WatchItem>(limit: limits.watchQueueLimit)
        let id = try state.withLock { state in
            guard state.openWatchStreams < limits.maxWatchStreams else {
                throw PeerManagerError.exhausted(
                    "too many Watch streams: max \(limits.maxWatchStreams) (--max-watch-streams)")
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.openWatchStreams += 1
            state.watchers[id] = Watcher(
                queue: queue, decisions: decisions, peerEvents: peerEvents, connectionStatus: connectionStatus)
            return id
        }
        return WatchRegistration(id: id, queue: queue)
    }

    /// The stream's handler returned (its reader left, or it was dropped and its last write
    /// ended): it is forgotten. Called once per ``watch(decisions:peerEvents:)``.
    func endWatch(_ registration: WatchRegistration) {
        state.withLock { state in
            state.watchers[registration.id] = nil
            state.openWatchStreams -= 1
        }
        registration.queue.finish()
    }

    /// Ends every Watch stream with `error`.
    func endWatches(_ error: PeerManagerError) {
        let watchers = state.withLock { state in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.queue.finish(throwing: error) }
    }

    /// Queues the decisions and peer changes of `actions` for every watcher (under the engine's
    /// lock). A watcher whose queue overflows is removed; its stream ends with
    /// ``PeerManagerError/exhausted(_:)``.
    func publish(_ actions: [EngineAction], in state: inout State, effects: inout Effects) {
        guard actions.contains(where: { if case .command = $0 { false } else { true } }) else { return }
        let now = effects.now
        // Each selection is made once and shared by the watchers that want it (copy on write).
        var decisionItems: [WatchItem]?
        var peerItems: [WatchItem]?
        var bothItems: [WatchItem]?
        var overflowed: [Int] = []
        for (id, watcher) in state.watchers where watcher.decisions || watcher.peerEvents {
            let items: [WatchItem]
            switch (watcher.decisions, watcher.peerEvents) {
            case (true, true):
                if bothItems == nil { bothItems = Self.items(of: actions, now: now, decisions: true, peerEvents: true) }
                items = bothItems ?? []
            case (true, false):
                if decisionItems == nil {
                    decisionItems = Self.items(of: actions, now: now, decisions: true, peerEvents: false)
                }
                items = decisionItems ?? []
            case (false, true):
                if peerItems == nil {
                    peerItems = Self.items(of: actions, now: now, decisions: false, peerEvents: true)
                }
                items = peerItems ?? []
            case (false, false): continue
            }
            let accepted = watcher.queue.push(
                items,
                overflow: PeerManagerError.exhausted(
                    "watcher fell behind: more than \(limits.watchQueueLimit) events queued (--watch-queue-limit)"))
            if !accepted { overflowed.append(id) }
        }
        for id in overflowed { state.watchers[id] = nil }
        effects.droppedWatchers += overflowed.count
    }

    /// Publishes a change of the host's connection status (after the actions that caused it) to
    /// the watchers that asked for it; called after every engine step (a burst of host events is
    /// one step). Cheap when nothing changed: the status is two counts while any relay peer is
    /// connected.
    func noteConnectionStatus(in state: inout State, effects: inout Effects) {
        let status = state.engine.connectionStatus
        guard status != state.connectionStatus else { return }
        let previous = state.connectionStatus
        state.connectionStatus = status
        effects.statusChanges.append((previous, status))
        let item = [WatchItem.connectionStatus(status, previous: previous, at: effects.now)]
        var overflowed: [Int] = []
        for (id, watcher) in state.watchers where watcher.connectionStatus {
            let accepted = watcher.queue.push(
                item,
                overflow: PeerManagerError.exhausted(
                    "watcher fell behind: more than \(limits.watchQueueLimit) events queued (--watch-queue-limit)"))
            if !accepted { overflowed.append(id) }
        }
        for id in overflowed { state.watchers[id] = nil }
        effects.droppedWatchers += overflowed.count
    }

    /// The Watch events of `actions`, in the engine's order: decisions, and peer events as the
    /// books changed (reported by the engine's store and connection table, so a peer that peerd
    /// forgets on its own is seen leaving too).
    private static func items(
        of actions: [EngineAction], now: EngineTime, decisions wantDecisions: Bool, peerEvents wantPeerEvents: Bool
    ) -> [WatchItem] {
        var items: [WatchItem] = []
        items.reserveCapacity(actions.count)
        for action in actions {
            switch action {
            case .decision(let decision) where wantDecisions: items.append(.decision(decision, at: now))
            case .peerChange(let change) where wantPeerEvents: items.append(.peerChange(change, at: now))
            default: break
            }
        }
        return items
    }
}
