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

    /// Queues `decisions` for every watcher (under the engine's lock). A watcher whose queue
    /// overflows is removed; its stream ends with RESOURCE_EXHAUSTED.
    func publish(_ decisions: ArraySlice<Decision>, in state: inout State, effects: inout Effects) {
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
                    bothFrames = Self.encode(decisions, now: now, decisions: true, peerEvents: true)
                }
                frames = bothFrames ?? []
            case (true, false):
                if decisionFrames == nil {
                    decisionFrames = Self.encode(decisions, now: now, decisions: true, peerEvents: false)
                }
                frames = decisionFrames ?? []
            case (false, _):
                if peerFrames == nil {
                    peerFrames = Self.encode(decisions, now: now, decisions: false, peerEvents: true)
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

    /// Each decision's Watch events, serialized, in order: the decision, then its peer events.
    private static func encode(
        _ decisions: ArraySlice<Decision>, now: EngineTime, decisions wantDecisions: Bool,
        peerEvents wantPeerEvents: Bool
    ) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        frames.reserveCapacity(decisions.count * 2)
        for decision in decisions {
            if wantDecisions {
                frames.append(
                    PeerManagerV1.WatchEvent(event: .decision(PeerManagerV1.Decision(decision, at: now))).encoded())
            }
            if wantPeerEvents {
                for event in PeerManagerV1.PeerEvent.events(for: decision, at: now) {
                    frames.append(PeerManagerV1.WatchEvent(event: .peerEvent(event)).encoded())
                }
            }
        }
        return frames
    }
}

extension PeerManagerV1.PeerEvent {
    /// The peer-level events a decision stands for.
    static func events(for decision: Decision, at time: EngineTime) -> [Self] {
        let kind: Kind
        switch decision.reason {
        case .peerAdded: kind = .added
        case .peerRemoved, .storePruned: kind = .removed
        case .peerJoined: kind = .connected
        case .peerLeft: kind = .disconnected
        default: return []
        }
        let peers = [decision.peer].compactMap { $0 } + decision.peers
        return peers.map { Self(timeMs: time.unixMilliseconds, kind: kind, peerID: $0.description) }
    }
}
