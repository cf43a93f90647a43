import Logging
import NIOCore
import PeerCore
import PeerWire
import TTRPCServer

/// `waku.peermanager.v1.Host`: the host node's side of the protocol.
///
/// Attach is a bidirectional stream (hello, then events up, commands down). Hosts whose RPC
/// library has no streams use ReportEvents and PollCommands: the same semantics in unary calls,
/// with a session id and a long poll.
public enum HostService {
    public static let serviceName = "waku.peermanager.v1.Host"

    /// How long a unary session may go without a call before peerd detaches it.
    public static let defaultSessionTimeout: Duration = .seconds(30)

    static func register(in router: inout RPCRouter, runtime: EngineRuntime, sessionTimeout: Duration) {
        router.register(
            service: serviceName, method: "Attach",
            .bidirectionalStreaming { requests, context, writer in
                try await attach(requests: requests, writer: writer, runtime: runtime, logger: context.logger)
            })
        router.register(
            service: serviceName, method: "ReportEvents",
            .inline { payload, _ in
                let request = try PeerManagerV1.ReportEventsRequest(wire: payload)
                return try reportEvents(request, runtime: runtime, sessionTimeout: sessionTimeout).encoded()
            })
        router.register(
            service: serviceName, method: "PollCommands",
            .unary { payload, _ in
                let request = try PeerManagerV1.PollCommandsRequest(wire: payload)
                let session = try unarySession(request.sessionID, runtime: runtime)
                let wait = Duration.milliseconds(Int64(clamping: min(request.waitMs, maxPollWaitMs)))
                // The session is alive while the poll waits, however long that is.
                let commands = await session.call {
                    await session.outbox.take(max: Int(clamping: request.maxCommands), wait: wait)
                }
                guard let commands else {
                    throw session.endError ?? PeerManagerError.sessionEnded(request.sessionID)
                }
                // Converted here, after the engine lock that queued them.
                return PeerManagerV1.PollCommandsResponse(commands: commands.map(PeerManagerV1.HostCommand.init))
                    .encoded()
            })
    }

    /// The longest a PollCommands call waits for a command.
    static let maxPollWaitMs: UInt64 = 60_000

    /// The attached unary session `id`. An Attach stream's session is refused: its commands go to
    /// its stream only, and a poll would take them from under it.
    private static func unarySession(_ id: UInt64, runtime: EngineRuntime) throws -> HostSession {
        guard let session = runtime.session(id: id) else { throw PeerManagerError.sessionNotAttached(id) }
        guard session.mode == .unary else { throw PeerManagerError.sessionIsStream(id) }
        return session
    }

    // MARK: - Attach

    private static func attach(
        requests: RequestStream, writer: StreamWriter, runtime: EngineRuntime, logger: Logger
    ) async throws {
        guard let first = try await requests.next() else {
            throw PeerManagerError.invalid(field: "Attach", reason: "the stream ended before the hello")
        }
        guard case .hello(let hello)? = try PeerManagerV1.HostEvent(wire: first).event else {
            throw PeerManagerError.invalid(field: "Attach", reason: "the first event must be a hello")
        }
        // Parsed and checked here: the runtime gets an engine value.
        let session = try runtime.attachHost(HostHello(hello), mode: .stream)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Commands down: until the outbox closes (detached or replaced).
                group.addTask {
                    // Everything queued goes out as one batch (one flush).
                    while !Task.isCancelled, let commands = await session.outbox.take(max: 0, wait: nil) {
                        try await writer.write(contentsOf: commands.map { PeerManagerV1.HostCommand($0).encoded() })
                    }
                }
                // Events up, a burst at a time (one engine lock per burst), until the host
                // half-closes or the stream fails.
                group.addTask {
                    var ignored = 0
                    defer {
                        if ignored > 0 {
                            logger.info("host events ignored", metadata: ["events.ignored": "\(ignored)"])
                        }
                    }
                    while let batch = try await requests.nextBatch() {
                        var events: [HostEvent] = []
                        events.reserveCapacity(batch.count)
                        for message in batch {
                            do {
                                guard let wire = try PeerManagerV1.HostEvent(wire: message).event else { continue }
                                events.append(try HostEvent(wire))
                            } catch {
                                // A malformed event is counted and skipped, never fatal to the session
                                // (as are events the engine ignores, counted by apply).
                                ignored += 1
                                logger.debug("host event ignored", metadata: ["error": "\(error)"])
                            }
                        }
                        ignored += try runtime.apply(events, from: session)
                    }
                }
                // Whichever side ends first ends the session.
                try await group.next()
                group.cancelAll()
            }
        } catch {
            runtime.detachHost(session, reason: .streamFailed("\(error)"))
            // peerd's own reason for ending the session wins over the error it caused.
            throw session.endError ?? error
        }
        runtime.detachHost(session, reason: .streamEnded)
        // The stream's status says why it ended when peerd ended it.
        if let error = session.endError { throw error }
    }

    // MARK: - Unary hosts

    private static func reportEvents(
        _ request: PeerManagerV1.ReportEventsRequest, runtime: EngineRuntime, sessionTimeout: Duration
    ) throws -> PeerManagerV1.ReportEventsResponse {
        var events = request.events[...]
        let session: HostSession
        if request.sessionID == 0 {
            guard case .hello(let hello)? = events.first?.event else {
                throw PeerManagerError.badRequest("ReportEvents without a session must start with a hello")
            }
            session = try runtime.attachHost(HostHello(hello), mode: .unary)
            events = events.dropFirst()
        } else {
            session = try unarySession(request.sessionID, runtime: runtime)
        }
        session.touch()
        var translated: [HostEvent] = []
        translated.reserveCapacity(events.count)
        var ignored = 0
        for event in events {
            guard let wire = event.event, let engineEvent = try? HostEvent(wire) else {
                ignored += 1
                continue
            }
            translated.append(engineEvent)
        }
        // Ignored: malformed events (never reach the engine) plus those the engine ignored
        // (unknown connections, peers or command ids); accepted: the events applied.
        let unknown = try runtime.apply(translated, from: session)
        return PeerManagerV1.ReportEventsResponse(
            sessionID: session.id, accepted: UInt32(clamping: translated.count - unknown),
            ignored: UInt32(clamping: ignored + unknown), sessionTimeoutMs: sessionTimeout.milliseconds)
    }
}
