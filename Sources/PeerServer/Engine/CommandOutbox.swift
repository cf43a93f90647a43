import PeerWire
import Synchronization

/// Commands waiting for the attached host, in issue order.
///
/// One consumer at a time: the Attach stream's writer or a PollCommands call. A consumer waits
/// until a command arrives, the outbox closes (the host detached) or its wait ends.
final class CommandOutbox: Sendable {
    private struct State {
        var queue: [PeerManagerV1.HostCommand] = []
        var head = 0
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func push(_ commands: [PeerManagerV1.HostCommand]) {
        guard !commands.isEmpty else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.queue.append(contentsOf: commands)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// No more commands; a waiting consumer wakes up and gets `nil`.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Up to `max` commands (0: all), waiting up to `wait` (nil: until one arrives) when there are
    /// none. Returns `nil` once the outbox is closed and drained, `[]` when the wait ran out.
    func take(max: Int, wait: Duration?) async -> [PeerManagerV1.HostCommand]? {
        if let ready = takeReady(max: max) { return ready.isEmpty && isClosed ? nil : ready }
        if wait == .zero { return [] }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForCommands() }
            if let wait { group.addTask { try? await Task.sleep(for: wait) } }
            await group.next()
            group.cancelAll()
        }
        let ready = takeReady(max: max) ?? []
        return ready.isEmpty && isClosed ? nil : ready
    }

    /// The queued commands, or nil when there are none yet.
    private func takeReady(max: Int) -> [PeerManagerV1.HostCommand]? {
        state.withLock { state in
            let available = state.queue.count - state.head
            guard available > 0 else { return state.closed ? [] : nil }
            let count = max > 0 ? min(max, available) : available
            let taken = Array(state.queue[state.head..<state.head + count])
            state.head += count
            if state.head == state.queue.count {
                state.queue.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return taken
        }
    }

    private func waitForCommands() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.queue.count > state.head || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
