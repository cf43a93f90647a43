import NIOCore
import Synchronization

/// The messages a client sends on a bidirectional stream after its Request frame, with
/// backpressure.
///
/// When `pauseThreshold` messages are queued the connection stops reading the socket (the
/// client's writes then block in its kernel buffer); once the handler has taken the queue down to
/// half that, reading resumes. The hard `limit` is a safety net for what one socket read may still
/// deliver after the pause: beyond it the stream fails with RESOURCE_EXHAUSTED. A handler that
/// keeps up never sees either.
public final class RequestStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private struct State {
        var queue: [ByteBuffer] = []
        var head = 0
        var ended = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<Void, Never>?
        var paused = false
        var count: Int { queue.count - head }
    }

    private let state = Mutex(State())
    let limit: Int
    let pauseThreshold: Int
    /// Called (from the consuming task) when a paused queue has drained to half the threshold: the
    /// connection may read again.
    private let onResume: @Sendable () -> Void

    init(limit: Int, pauseThreshold: Int, onResume: @escaping @Sendable () -> Void = {}) {
        self.limit = limit
        self.pauseThreshold = Swift.max(1, Swift.min(pauseThreshold, limit))
        self.onResume = onResume
    }

    // MARK: Producer (the connection's event loop)

    /// Queues a message; returns false when the hard limit is exceeded (the stream must fail).
    func enqueue(_ message: ByteBuffer) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.ended else { return (true, nil) }
            guard state.count < limit else { return (false, nil) }
            state.queue.append(message)
            if state.count >= pauseThreshold { state.paused = true }
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume()
        return accepted
    }

    /// Whether the connection should hold back its reads for this stream. The stream is the only
    /// owner of this state; the connection asks each time it would read, so a pause and a resume
    /// racing between threads cannot leave the two out of step.
    var isPaused: Bool { state.withLock { $0.paused } }

    /// No more messages: the consumer drains the queue, then sees the end (or `error`).
    func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.ended else { return nil }
            state.ended = true
            state.failure = error
            state.paused = false
            if error != nil {
                state.queue.removeAll()
                state.head = 0
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    // MARK: Consumer (the handler's task)

    /// The next message, or nil at the end.
    public func next() async throws -> ByteBuffer? {
        try await nextBatch(max: 1)?.first
    }

    /// Every message queued now (at least one, at most `max`), or nil at the end: a handler that
    /// applies messages in batches pays one wake-up per burst instead of one per message.
    public func nextBatch(max: Int = .max) async throws -> [ByteBuffer]? {
        while true {
            let (batch, resume) = try state.withLock { state -> ([ByteBuffer]?, Bool) in
                if let failure = state.failure { throw failure }
                guard state.count > 0 else { return (state.ended ? [] : nil, false) }
                let end = state.head + Swift.min(max, state.count)
                let batch = Array(state.queue[state.head..<end])
                state.head = end
                if state.head == state.queue.count {
                    state.queue.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                let resume = state.paused && state.count <= pauseThreshold / 2
                if resume { state.paused = false }
                return (batch, resume)
            }
            if resume { onResume() }
            if let batch { return batch.isEmpty ? nil : batch }
            try Task.checkCancellation()
            await waitForMessages()
        }
    }

    private func waitForMessages() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.count > 0 || state.ended || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: RequestStream
        public mutating func next() async throws -> ByteBuffer? { try await stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
