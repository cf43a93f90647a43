import Synchronization

/// One Watch stream's events on their way to its socket: in order, and bounded.
///
/// The engine never waits for a watcher: ``push(_:)`` appends and returns. The stream's writer
/// takes everything queued at once (``next()``) and writes it as one batch, so however many
/// events a burst of calls produced while the writer waited for its turn, it catches up in one
/// write. Only events the writer has not taken count against the limit; the writer takes the next
/// batch once the socket accepted the last one. So a reader that keeps up never reaches the
/// limit, and one that stops reading stops the writer, fills the queue and is dropped: at most
/// twice the limit is held (the queue and the batch the socket refuses), plus one engine step.
final class WatchQueue<Event: Sendable>: Sendable {
    private struct State {
        var events: [Event] = []
        var ended: (any Error)?
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues `events`; false (and the queue fails with `overflow`) when that exceeds the limit.
    ///
    /// An empty queue takes any one step's events, however many (a prune that removes thousands
    /// of peers): they exist in memory anyway, and a reader that keeps up must not be dropped
    /// for the size of one step.
    func push(_ events: some Collection<Event>, overflow: @autoclosure () -> any Error) -> Bool {
        guard !events.isEmpty else { return true }
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.finished else { return (false, nil) }
            if !state.events.isEmpty, state.events.count + events.count > limit {
                state.events = []
                state.finished = true
                state.ended = overflow()
            } else {
                state.events.append(contentsOf: events)
            }
            defer { state.waiter = nil }
            return (!state.finished, state.waiter)
        }
        waiter?.resume()
        return accepted
    }

    /// Ends the stream: the writer gets `error` (or the end) after what is queued, except on
    /// overflow, which drops the queue.
    func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.ended = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything queued, waiting while nothing is; nil at the end, or throws how it ended.
    func next() async throws -> [Event]? {
        while true {
            let taken = try state.withLock { state -> [Event]? in
                if !state.events.isEmpty {
                    defer { state.events = [] }
                    return state.events
                }
                if let error = state.ended { throw error }
                return state.finished ? [] : nil
            }
            if let taken { return taken.isEmpty ? nil : taken }
            try Task.checkCancellation()
            await waitForEvents()
        }
    }

    private func waitForEvents() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || !state.events.isEmpty || Task.isCancelled { return true }
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
