import PeerCore
import Synchronization

/// Commands waiting for the attached host, in issue order, at most `limit` of them.
///
/// One consumer at a time: the Attach stream's writer, or one PollCommands call. A newer
/// consumer supersedes a waiting one, which returns at once with no commands (a unary host whose
/// RPC library gave up on a long poll and sent another must not find the new one starved, nor
/// leave the old one waiting forever). The queue is bounded: a host that does not take its
/// commands is not a host, and ``push(_:)`` says so for the runtime to detach it.
final class CommandOutbox: Sendable {
    private struct State {
        var queue: [IssuedCommand] = []
        var head = 0
        var closed = false
        /// The consumer entitled to the commands; its continuation is set while it waits.
        var consumer: UInt64?
        var waiter: CheckedContinuation<Void, Never>?
        var nextConsumer: UInt64 = 0

        var count: Int { queue.count - head }
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues `commands`; false (and nothing queued) when that would exceed the limit.
    func push(_ commands: [IssuedCommand]) -> Bool {
        guard !commands.isEmpty else { return true }
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.closed else { return (true, nil) }
            guard state.count + commands.count <= limit else { return (false, nil) }
            state.queue.append(contentsOf: commands)
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume()
        return accepted
    }

    /// No more commands; a waiting consumer wakes up and gets `nil`.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            state.queue = []
            state.head = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Commands queued and not yet taken.
    var count: Int { state.withLock { $0.count } }

    /// Up to `max` commands (0: all), waiting up to `wait` (nil: until one arrives) when there are
    /// none. Returns `nil` once the outbox is closed, `[]` when the wait ran out or a newer
    /// consumer superseded this one.
    func take(max: Int, wait: Duration?) async -> [IssuedCommand]? {
        // This consumer becomes the current one; one waiting before it returns with nothing.
        let (consumer, superseded) = state.withLock { state -> (UInt64, CheckedContinuation<Void, Never>?) in
            state.nextConsumer += 1
            state.consumer = state.nextConsumer
            defer { state.waiter = nil }
            return (state.nextConsumer, state.waiter)
        }
        superseded?.resume()
        defer { state.withLock { state in if state.consumer == consumer { state.consumer = nil } } }

        switch takeReady(max: max, for: consumer) {
        case .commands(let commands): return commands
        case .closed: return nil
        case .superseded: return []
        case .none where wait == .zero: return []
        case .none: break
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForCommands(consumer) }
            if let wait { group.addTask { await timerSleep(for: wait) } }
            await group.next()
            group.cancelAll()
        }
        switch takeReady(max: max, for: consumer) {
        case .commands(let commands): return commands
        case .closed: return nil
        case .superseded, .none: return []
        }
    }

    private enum Ready {
        case commands([IssuedCommand])
        case none
        case superseded
        case closed
    }

    private func takeReady(max: Int, for consumer: UInt64) -> Ready {
        state.withLock { state in
            if state.closed { return .closed }
            guard state.consumer == consumer else { return .superseded }
            let available = state.count
            guard available > 0 else { return .none }
            let count = max > 0 ? min(max, available) : available
            let taken = Array(state.queue[state.head..<state.head + count])
            state.head += count
            if state.head == state.queue.count {
                // A burst's capacity is given back rather than kept for the session's life.
                state.queue.removeAll(keepingCapacity: state.queue.count <= 1024)
                state.head = 0
            }
            return .commands(taken)
        }
    }

    private func waitForCommands(_ consumer: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.count > 0 || state.consumer != consumer || Task.isCancelled {
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // Only this consumer's own continuation: a newer consumer's waits on.
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard state.consumer == consumer else { return nil }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
