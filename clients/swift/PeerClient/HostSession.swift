import PeerWire
import Synchronization

/// A Swift host's session with peerd, over one Attach stream at a time.
///
/// ``run()`` attaches with a hello (the closure builds it, with the snapshot of the host's
/// connections, each time), passes peerd's commands to ``commands``, and attaches again after a
/// drop (peerd restarted, the connection broke) with a fresh hello, until its task is cancelled or
/// peerd refuses the session for good (``reattaches(after:)``). The host reports its events with
/// ``report(_:)`` and each command's result with ``report(result:for:)``.
///
/// ```swift
/// let session = HostSession(host: client.host) { HostHello(peerID: me, online: true, connections: open()) }
/// async let running: Void = session.run()
/// for await command in session.commands { ... try await session.report(result: .succeeded(true), for: command.commandID) }
/// ```
public final class HostSession: Sendable {
    public typealias Hello = @Sendable () async throws -> PeerManagerV1.HostHello

    /// peerd's commands, from every attachment in turn; finishes when ``run()`` returns. One
    /// consumer. Commands of an attachment that dropped are void (peerd dropped them too): the
    /// host may carry them out or not, but their results are ignored. At most
    /// ``commandBufferLimit`` commands wait between the stream and the consumer: a host that
    /// leaves more unread ends the session (``run()`` throws RESOURCE_EXHAUSTED and does not
    /// attach again, since a host that does not read would overflow the next attachment too),
    /// as peerd detaches a host that leaves more than `--max-queued-commands` untaken.
    public let commands: AsyncStream<PeerManagerV1.HostCommand>

    /// The most commands ``commands`` holds unread; one more ends the session.
    public let commandBufferLimit: Int

    /// The bound peerd puts on what it queues for a host (`--max-queued-commands`' default), so
    /// the host side holds no more than peerd would.
    public static let defaultCommandBufferLimit = 4096

    private let host: HostClient
    private let hello: Hello
    private let reattachDelay: Duration
    private let commandSink: AsyncStream<PeerManagerV1.HostCommand>.Continuation
    private let state = Mutex(State())

    private struct State {
        var stream: BidirectionalStream<PeerManagerV1.HostEvent, PeerManagerV1.HostCommand>?
        var attachments = 0
    }

    /// - Parameters:
    ///   - host: the Host service client.
    ///   - reattachDelay: the pause between a drop and the next attach.
    ///   - commandBufferLimit: the most commands left unread before the session ends (at least 1).
    ///   - hello: builds the hello, with the current snapshot, for every attach.
    public init(
        host: HostClient, reattachDelay: Duration = .milliseconds(200),
        commandBufferLimit: Int = HostSession.defaultCommandBufferLimit, hello: @escaping Hello
    ) {
        self.host = host
        self.hello = hello
        self.reattachDelay = reattachDelay
        self.commandBufferLimit = max(1, commandBufferLimit)
        (commands, commandSink) = AsyncStream.makeStream(
            of: PeerManagerV1.HostCommand.self, bufferingPolicy: .bufferingOldest(self.commandBufferLimit))
    }

    /// Whether a hello has been sent on the current Attach stream.
    public var isAttached: Bool { state.withLock { $0.stream != nil } }

    /// How many times the session has attached (sent a hello).
    public var attachments: Int { state.withLock { $0.attachments } }

    /// Attaches and re-attaches until the task is cancelled (then returns) or peerd ends the
    /// session with a status that a new attach would not change (then throws it). An error the
    /// hello closure throws ends it too, and so does a consumer that leaves more than
    /// ``commandBufferLimit`` commands unread (RESOURCE_EXHAUSTED; the commands already buffered
    /// stay readable, then ``commands`` finishes).
    public func run() async throws {
        defer { commandSink.finish() }
        while !Task.isCancelled {
            let ending = try await attachOnce()
            if Task.isCancelled { return }
            if let ending, !Self.reattaches(after: ending.code) { throw ending }
            do {
                try await Task.sleep(for: reattachDelay)
            } catch {
                return  // cancelled
            }
        }
    }

    /// Whether a session that peerd (or the connection) ended with `code` should attach again:
    /// yes when the cause is passing (the connection, peerd restarting, a queue that overflowed,
    /// a deadline); no when peerd refused this host (another host holds the session, another
    /// cluster, a malformed hello, replaced by a `take_over`).
    public static func reattaches(after code: StatusCode) -> Bool {
        switch code {
        case .failedPrecondition, .aborted, .invalidArgument, .unimplemented, .permissionDenied,
            .unauthenticated, .notFound, .alreadyExists, .outOfRange:
            false
        default:
            true
        }
    }

    /// Reports one event on the current attachment. Throws UNAVAILABLE when not attached: what
    /// changed meanwhile reaches peerd in the next hello's snapshot.
    public func report(_ event: PeerManagerV1.HostEvent) async throws {
        guard let stream = state.withLock({ $0.stream }) else {
            throw PeerdClientError(code: .unavailable, message: "the host session is not attached")
        }
        try await stream.send(event)
    }

    /// Reports a command's result.
    public func report(result: PeerManagerV1.CommandResult.OneOf_Outcome, for commandID: UInt64) async throws {
        try await report(PeerManagerV1.HostEvent(event: .commandResult(.init(commandID: commandID, outcome: result))))
    }

    /// One attachment: its end as a status (nil when peerd ended it OK).
    private func attachOnce() async throws -> PeerdClientError? {
        do {
            let stream = try await host.attach()
            let hello: PeerManagerV1.HostHello
            do {
                hello = try await self.hello()
            } catch {
                throw HelloFailure(error: error)
            }
            try await stream.send(PeerManagerV1.HostEvent(event: .hello(hello)))
            state.withLock {
                $0.stream = stream
                $0.attachments += 1
            }
            defer { state.withLock { $0.stream = nil } }
            for try await command in stream {
                if case .dropped = commandSink.yield(command) {
                    // peerd learns of it as of any host gone: the stream is cancelled.
                    stream.cancel()
                    throw CommandOverflow(limit: commandBufferLimit)
                }
            }
            return nil
        } catch let overflow as CommandOverflow {
            throw PeerdClientError(
                code: .resourceExhausted,
                message: "the host left more than \(overflow.limit) commands unread (commandBufferLimit): session ended"
            )
        } catch let error as PeerdClientError {
            return error
        } catch is CancellationError {
            return PeerdClientError.cancelled
        } catch let failure as HelloFailure {
            throw failure.error  // the host's own error: not a connection problem, no retry
        } catch {
            // Anything else came from the connection: re-attach as after any loss.
            return PeerdClientError(code: .unavailable, message: "the Attach stream failed: \(error)")
        }
    }

    /// The consumer of ``commands`` fell more than ``commandBufferLimit`` behind.
    private struct CommandOverflow: Error {
        let limit: Int
    }

    /// An error the hello closure threw, told apart from the connection's.
    private struct HelloFailure: Error {
        let error: any Error
    }
}
