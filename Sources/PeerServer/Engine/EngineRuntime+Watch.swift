import Logging
import NIOCore
import PeerCore
import PeerIdentity
import PeerWire
import Synchronization

/// Watch streams: each decision's events are encoded once and queued for every watcher under the
/// engine's lock, so every watcher sees them in the engine's order.
extension EngineRuntime {
    /// A Watch stream, registered until ``endWatch(_:)``.
    struct WatchRegistration: Sendable {
        let id: Int
        let queue: WatchQueue
    }

    /// Registers a watcher. Its queue fails with RESOURCE_EXHAUSTED once its reader is more than
    /// ``SessionLimits/watchQueueLimit`` events behind, so a slow watcher never slows the engine or
    /// other clients.
    ///
    /// - Throws: RESOURCE_EXHAUSTED when ``SessionLimits/maxWatchStreams`` streams are open.
    func watch(decisions: Bool, peerEvents: Bool) throws -> WatchRegistration {
        let queue = WatchQueue(limit: limits.watchQueueLimit)
        let id = try state.withLock { state in
            guard state.openWatchStreams < limits.maxWatchStreams else {
                throw RPCError(
                    code: .resourceExhausted,
                    message: "too many Watch streams: max \(limits.maxWatchStreams) (--max-watch-streams)")
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.openWatchStreams += 1
            state.watchers[id] = Watcher(queue: queue, decisions: decisions, peerEvents: peerEvents)
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
    func endWatches(_ error: RPCError) {
        let watchers = state.withLock { state in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.queue.finish(throwing: error) }
    }

    /// Queues the decisions and peer changes of `actions` for every watcher (under the engine's
    /// lock). A watcher whose queue overflows is removed; its stream ends with RESOURCE_EXHAUSTED.
    func publish(_ actions: [EngineAction], in state: inout State, effects: inout Effects) {
        guard actions.contains(where: { if case .command = $0 { false } else { true } }) else { return }
        let now = effects.now
        var decisionFrames: [ByteBuffer]?
        var peerFrames: [ByteBuffer]?
        var bothFrames: [ByteBuffer]?
        var overflowed: [Int] = []
        for (id, watcher) in state.watchers {
            let frames: [ByteBuffer]
            switch (watcher.decisions, watcher.peerEvents) {
            case (true, true):
                if bothFrames == nil {
                    bothFrames = Self.encode(actions, now: now, decisions: true, peerEvents: true)
                }
                frames = bothFrames ?? []
            case (true, false):
                if decisionFrames == nil {
                    decisionFrames = Self.encode(actions, now: now, decisions: true, peerEvents: false)
                }
                frames = decisionFrames ?? []
            case (false, _):
                if peerFrames == nil {
                    peerFrames = Self.encode(actions, now: now, decisions: false, peerEvents: true)
                }
                frames = peerFrames ?? []
            }
            let accepted = watcher.queue.push(
                frames,
                overflow: RPCError(
                    code: .resourceExhausted,
                    message:
                        "watcher fell behind: more than \(limits.watchQueueLimit) events queued (--watch-queue-limit)"))
            if !accepted { overflowed.append(id) }
        }
        for id in overflowed { state.watchers[id] = nil }
        effects.droppedWatchers += overflowed.count
    }

    /// The Watch events of `actions`, serialized, in the engine's order: decisions, and peer
    /// events as the books changed (reported by the engine's store and connection table, so a
    /// peer that peerd forgets on its own is seen leaving too).
    private static func encode(
        _ actions: [EngineAction], now: EngineTime, decisions wantDecisions: Bool, peerEvents wantPeerEvents: Bool
    ) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        frames.reserveCapacity(actions.count)
        for action in actions {
            switch action {
            case .decision(let decision) where wantDecisions:
                frames.append(
                    PeerManagerV1.WatchEvent(event: .decision(PeerManagerV1.Decision(decision, at: now))).encoded())
            case .peerChange(let change) where wantPeerEvents:
                frames.append(
                    PeerManagerV1.WatchEvent(event: .peerEvent(PeerManagerV1.PeerEvent(change, at: now))).encoded())
            default: break
            }
        }
        return frames
    }
}

extension PeerManagerV1.PeerEvent {
    /// The Watch event for a change of the books.
    init(_ change: PeerChange, at time: EngineTime) {
        let kind: Kind =
            switch change.kind {
            case .added: .added
            case .removed: .removed
            case .connected: .connected
            case .disconnected: .disconnected
            }
        self.init(timeMs: time.unixMilliseconds, kind: kind, peerID: change.peer.description)
    }
}
