import Logging
import NIOCore
import NIOPosix
import PeerWire
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// A ttrpc server on a Unix socket as a `Service`: binds the socket, checks each client's
/// credentials, serves the router's methods, and shuts down gracefully.
///
/// Shutdown (SIGTERM/SIGINT through the `ServiceGroup`): health turns NOT_SERVING, the listener
/// closes, new calls on open connections get UNAVAILABLE, calls in flight get up to the grace
/// period, then the connections close and the socket file is removed.
public struct SocketServer: Service {
    public let configuration: ServerConfiguration
    public let health: HealthStatus
    private let router: RPCRouter
    private let logger: Logger
    private let group: any EventLoopGroup
    private let onListening: @Sendable (String) -> Void
    private let observeCall: CallObserver?
    private let onDrain: @Sendable () -> Void

    /// - Parameters:
    ///   - router: the methods to serve, as given (the caller registers Health if it wants it).
    ///   - health: set SERVING once bound, NOT_SERVING at shutdown; its watchers end when draining.
    ///   - onDrain: called when draining starts, after the health watchers ended, so the
    ///     application can end the streams that only end when told to.
    ///   - onListening: called once the socket accepts connections (tests wait on it).
    public init(
        configuration: ServerConfiguration, router: RPCRouter, health: HealthStatus = HealthStatus(),
        logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        observeCall: CallObserver? = nil, onDrain: @escaping @Sendable () -> Void = {},
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.router = router
        self.health = health
        self.logger = logger
        self.group = group
        self.observeCall = observeCall
        self.onDrain = onDrain
        self.onListening = onListening
    }

    public func run() async throws {
        let shared = !configuration.allowedUIDs.isEmpty
        let socketFile = try SocketFile(
            path: configuration.socketPath, sharedWithOtherUsers: shared, serverName: configuration.serverName)
        defer { socketFile.remove() }

        let registry = ConnectionRegistry()
        // SERVING before the first connection can be accepted: a client that gets in at once
        // must not read NOT_SERVING from a server that is ready. A failed bind ends the process.
        health.set(.serving)
        let listener = try await socketFile.withCreationMode(sharedWithOtherUsers: shared) {
            try await bind(registry: registry)
        }
        try socketFile.restrictPermissions(sharedWithOtherUsers: shared)
        logger.info(
            "listening",
            metadata: [
                "socket.path": "\(configuration.socketPath)", "socket.mode": "\(shared ? "0666" : "0600")",
                "services": "\(router.serviceNames.joined(separator: ","))",
            ])
        onListening(configuration.socketPath)

        await withTaskCancellationOrGracefulShutdownHandler {
            try? await listener.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            health.set(.notServing)
            listener.close(promise: nil)
        }
        health.set(.notServing)
        await drain(registry)
    }

    private func bind(registry: ConnectionRegistry) async throws -> any Channel {
        let configuration = configuration
        let router = router
        let logger = logger
        let observeCall = observeCall
        let ownUID = getuid()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                PeerCredentials.read(from: channel).flatMapThrowing { credentials in
                    guard credentials.uid == ownUID || configuration.allowedUIDs.contains(credentials.uid) else {
                        logger.warning(
                            "refused connection",
                            metadata: ["peer.uid": "\(credentials.uid)", "peer.pid": "\(credentials.pid)"])
                        throw ChannelError.ioOnClosedChannel
                    }
                    logger.debug(
                        "connection", metadata: ["peer.uid": "\(credentials.uid)", "peer.pid": "\(credentials.pid)"])
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(
                            router: router, configuration: configuration, credentials: credentials, registry: registry,
                            logger: logger, observeCall: observeCall))
                }
            }
        do {
            return try await bootstrap.bind(unixDomainSocketPath: configuration.socketPath).get()
        } catch {
            throw SocketFileError(description: "cannot listen on \(configuration.socketPath): \(error)")
        }
    }

    /// Lets calls in flight finish within the grace period, then closes what is left.
    private func drain(_ registry: ConnectionRegistry) async {
        registry.drainAll()
        // Streams that only end when told to (health watchers, and the application's own, which
        // onDrain ends) end now, so draining waits only for calls that do finish.
        health.finishWatchers()
        onDrain()
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.shutdownGracePeriod
        while registry.activeCalls > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let unfinished = registry.activeCalls
        await registry.closeAll()
        logger.info(
            "stopped", metadata: ["calls.unfinished": "\(unfinished)", "socket.path": "\(configuration.socketPath)"])
    }
}

extension SocketServer: CustomStringConvertible {
    public var description: String { "SocketServer(socket: \(configuration.socketPath))" }
}
