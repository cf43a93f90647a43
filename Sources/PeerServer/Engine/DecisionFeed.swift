import PeerCore
import Synchronization

/// Decisions on their way to the log and the observers (metrics), in the engine's order.
///
/// Batches are pushed under the engine's lock, so their order is the order the engine made them;
/// they are delivered after it by one consumer at a time (whichever caller finds nobody
/// draining), so two callers finishing in the other order cannot swap them.
final class DecisionFeed: Sendable {
    struct Batch {
        let decisions: [Decision]
        let now: EngineTime
    }

    private struct State {
        var batches: [Batch] = []
        var draining = false
    }

    private let state = Mutex(State())

    /// Queues a batch; called under the engine's lock.
    func push(_ decisions: [Decision], now: EngineTime) {
        guard !decisions.isEmpty else { return }
        state.withLock { $0.batches.append(Batch(decisions: decisions, now: now)) }
    }

    /// Delivers every queued batch in order, unless another caller is already doing so (it then
    /// delivers these too before it stops).
    func drain(_ deliver: (Batch) -> Void) {
        let claimed = state.withLock { state -> Bool in
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        guard claimed else { return }
        while true {
            let batches = state.withLock { state -> [Batch] in
                let batches = state.batches
                state.batches = []
                // Released under the same lock that found the queue empty: a batch pushed after
                // this is drained by its own pusher.
                if batches.isEmpty { state.draining = false }
                return batches
            }
            if batches.isEmpty { return }
            for batch in batches { deliver(batch) }
        }
    }
}
