import Synchronization

/// The attached host: its id for unary calls, how it talks, and its command queue.
final class HostSession: Sendable {
    enum Mode: String, Sendable { case stream, unary }

    /// Why a session ended; the Attach stream's final status follows from it.
    enum EndReason: Sendable, CustomStringConvertible {
        case streamEnded
        case streamFailed(String)
        case replaced
        case idle(Duration)
        case shuttingDown

        var description: String {
            switch self {
            case .streamEnded: "the host ended the stream"
            case .streamFailed(let error): "the stream failed: \(error)"
            case .replaced: "replaced by a new host session"
            case .idle(let timeout): "no call for \(timeout)"
            case .shuttingDown: "peerd is shutting down"
            }
        }
    }

    let id: UInt64
    let mode: Mode
    let outbox = CommandOutbox()
    private let ended = Mutex<EndReason?>(nil)
    private let lastCall = Mutex(ContinuousClock.now)

    init(id: UInt64, mode: Mode) {
        self.id = id
        self.mode = mode
    }

    /// Why the session ended, once it has (the first reason wins).
    var endReason: EndReason? { ended.withLock { $0 } }

    func end(reason: EndReason) { ended.withLock { $0 = $0 ?? reason } }

    /// Records a call from the host (unary sessions expire without calls).
    func touch() { lastCall.withLock { $0 = .now } }

    /// Time since the host's last call.
    var idleTime: Duration { ContinuousClock.now - lastCall.withLock { $0 } }
}
