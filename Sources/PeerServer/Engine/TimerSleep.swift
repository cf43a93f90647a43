import NIOCore
import NIOPosix
import Synchronization

/// Sleeps for `duration` or until the task is cancelled, on an event loop's timer.
///
/// For sleeps that lose a race most of the time (a wait for a signal, a command, a dial's
/// outcome, with a timeout beside it): a cancelled `Task.sleep` keeps its timer and task
/// allocation, about 600 bytes, until the sleep's deadline (swiftlang/swift#60441), so every
/// host attach held that for the connectivity loop's 60 s offline wait. A cancelled NIO
/// scheduled task leaves the loop's timer queue at once.
func timerSleep(for duration: Duration, on loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()) async {
    let waiter = TimerWaiter()
    await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            waiter.park(continuation, for: duration, on: loop)
        }
    } onCancel: {
        waiter.end()
    }
}

/// The continuation and the timer of one ``timerSleep(for:on:)``: resumed once, by the timer or
/// the cancellation, whichever comes first (the cancellation may come before the park).
private final class TimerWaiter: Sendable {
    private enum State {
        case waiting
        case parked(CheckedContinuation<Void, Never>, Scheduled<Void>)
        case ended
    }

    private let state = Mutex(State.waiting)

    func park(_ continuation: CheckedContinuation<Void, Never>, for duration: Duration, on loop: any EventLoop) {
        let ended = state.withLock { state -> Bool in
            guard case .waiting = state else { return true }
            // The timer's task runs on the loop later, never inline: taking the lock there is safe.
            let timer = loop.scheduleTask(in: timeAmount(duration)) { self.end() }
            state = .parked(continuation, timer)
            return false
        }
        if ended { continuation.resume() }
    }

    /// The timer fired or the task was cancelled.
    func end() {
        let parked = state.withLock { state -> (CheckedContinuation<Void, Never>, Scheduled<Void>)? in
            defer { state = .ended }
            if case .parked(let continuation, let timer) = state { return (continuation, timer) }
            return nil
        }
        guard let (continuation, timer) = parked else { return }
        timer.cancel()
        continuation.resume()
    }
}

/// `duration` as NIO's nanoseconds, saturating (a wake time far ahead must not trap), and at
/// least zero.
func timeAmount(_ duration: Duration) -> TimeAmount {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0 else { return .zero }
    let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    if overflow { return .nanoseconds(.max) }
    let (total, overflowed) = nanos.addingReportingOverflow(attoseconds / 1_000_000_000)
    return .nanoseconds(overflowed ? .max : max(0, total))
}
