import PeerClient
import PeerWire

/// A Swift host for the tests: a HostSession whose command handler the test chooses, run in a
/// task for the duration of `body`.
enum TestHost {
    /// What the host does with each command.
    typealias Handler = @Sendable (HostSession, PeerManagerV1.HostCommand) async throws -> Void

    /// Carries out dials: reports the connection opened, then the dial succeeded.
    static let dialsSucceed: Handler = { session, command in
        guard case .dial(let dial)? = command.command else { return }
        try await session.report(
            PeerManagerV1.HostEvent(
                event: .connectionOpened(
                    .init(
                        connectionID: command.commandID, peerID: dial.peerID, direction: .outbound,
                        observedAddress: dial.addresses.first ?? ""))))
        try await session.report(result: .succeeded(true), for: command.commandID)
    }

    /// Never answers: dials stay in flight (a Connect waits for them).
    static let ignores: Handler = { _, _ in }

    static func run<Result: Sendable>(
        socketPath: String, reattachDelay: Duration = .milliseconds(50), handler: @escaping Handler,
        received: AsyncStream<PeerManagerV1.HostCommand>.Continuation? = nil,
        _ body: @Sendable (HostSession) async throws -> Result
    ) async throws -> Result {
        // The host's Attach stream on a connection of its own, as docs/protocol.md advises.
        let connection = ClientConnection(socketPath: socketPath)
        let session = HostSession(host: HostClient(connection: connection), reattachDelay: reattachDelay) {
            PeerManagerV1.HostHello(peerID: Fixtures.hostID, online: true)
        }
        let running = Task { try await session.run() }
        let handling = Task {
            for await command in session.commands {
                received?.yield(command)
                try? await handler(session, command)
            }
        }
        defer {
            running.cancel()
            handling.cancel()
        }
        let result = try await body(session)
        running.cancel()
        _ = await running.result
        await connection.close()
        return result
    }
}
