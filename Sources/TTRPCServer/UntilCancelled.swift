import Synchronization

/// Suspends until the current task is cancelled, holding no timer.
///
/// A stream that has nothing more to send but must stay open until its client goes (or its
/// deadline passes, which cancels it too) waits here. `Task.sleep` would do it, but a cancelled
/// sleep keeps its timer and task allocation, about 600 bytes, until the sleep's deadline
/// (swiftlang/swift#60441): a one-hour sleep held that for an hour after every client that hung
/// up, so a client opening and abandoning streams grew peerd by megabytes a minute.
func untilCancelled() async {
    let waiter = CancellationWaiter()
    await withTaskCancellationHandler {
        await withCheckedContinuation { waiter.park($0) }
    } onCancel: {
        waiter.cancel()
    }
}

/// The continuation of ``untilCancelled()``, resumed once by the cancellation, whichever of
/// parking and cancelling comes first.
private final class CancellationWaiter: Sendable {
    private enum State {
        case waiting
        case parked(CheckedContinuation<Void, Never>)
        case cancelled
    }

    private let state = Mutex(State.waiting)

    func park(_ continuation: CheckedContinuation<Void, Never>) {
        let cancelled = state.withLock { state -> Bool in
            if case .cancelled = state { return true }
            state = .parked(continuation)
            return false
        }
        if cancelled { continuation.resume() }
    }

    func cancel() {
        let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state = .cancelled }
            if case .parked(let continuation) = state { return continuation }
            return nil
        }
        parked?.resume()
    }
}
