import PeerCore
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
        case commandQueueFull(Int)
        case shuttingDown

        var description: String {
            switch self {
            case .streamEnded: "the host ended the stream"
            case .streamFailed(let error): "the stream failed: \(error)"
            case .replaced: "replaced by a new host session"
            case .idle(let timeout): "no call for \(timeout)"
            case .commandQueueFull(let limit):
                "the host did not take its commands: more than \(limit) queued (--max-queued-commands)"
            case .shuttingDown: "peerd is shutting down"
            }
        }

        /// The status the session's calls get when peerd ended it.
        func error(session id: UInt64) -> PeerManagerError? {
            switch self {
            case .streamEnded, .streamFailed, .idle: nil
            case .replaced: .sessionReplaced(id)
            case .commandQueueFull: .exhausted("host session \(id) detached: \(self)")
            case .shuttingDown: .shuttingDown
            }
        }
    }

    /// When the host last showed it is alive.
    ///
    /// A unary host is alive while one of its calls is in progress (a long poll may last longer
    /// than the session timeout) and for the session timeout after its last call ended.
    private struct Liveness {
        var callsInProgress = 0
        var lastCallEnded = ContinuousClock.now
    }

    let id: UInt64
    let mode: Mode
    let outbox: CommandOutbox
    private let ended = Mutex<EndReason?>(nil)
    private let liveness = Mutex(Liveness())

    init(id: UInt64, mode: Mode, commandLimit: Int) {
        self.id = id
        self.mode = mode
        self.outbox = CommandOutbox(limit: commandLimit)
    }

    /// Why the session ended, once it has (the first reason wins).
    var endReason: EndReason? { ended.withLock { $0 } }

    func end(reason: EndReason) { ended.withLock { $0 = $0 ?? reason } }

    /// The status the session's calls get once peerd ended it (nil: it did not, or not yet).
    var endError: PeerManagerError? { endReason?.error(session: id) }

    /// Runs a call from the host; the session counts as alive until it returns, however long
    /// it waits.
    func call<R>(_ body: () async throws -> R) async rethrows -> R {
        liveness.withLock { $0.callsInProgress += 1 }
        defer {
            liveness.withLock { state in
                state.callsInProgress -= 1
                state.lastCallEnded = .now
            }
        }
        return try await body()
    }

    /// Records a call from the host that is over at once (ReportEvents).
    func touch() { liveness.withLock { $0.lastCallEnded = .now } }

    /// Whether the host has shown no sign of life for `timeout`: no call in progress and none
    /// ended within it.
    func isIdle(for timeout: Duration) -> Bool {
        liveness.withLock { $0.callsInProgress == 0 && ContinuousClock.now - $0.lastCallEnded > timeout }
    }
}
