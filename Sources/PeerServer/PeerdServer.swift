import Logging
import NIOCore
import NIOPosix
import PeerWire
import ServiceLifecycle
import TTRPCServer

/// peerd's socket server as a `Service`: the transport's ``SocketServer`` with Health and GetInfo
/// added to the router, and peerd's name in what clients and operators read.
///
/// Shutdown (SIGTERM/SIGINT through the `ServiceGroup`): health turns NOT_SERVING, the listener
/// closes, new calls on open connections get UNAVAILABLE, calls in flight get up to the grace
/// period, then the connections close and the socket file is removed.
public struct PeerdServer: Service {
    public var configuration: ServerConfiguration { server.configuration }
    public var health: HealthStatus { server.health }
    /// Every method served, Health and GetInfo included (the router-vs-contract test reads it).
    public let router: RPCRouter
    private let server: SocketServer

    /// - Parameters:
    ///   - router: the methods to serve; Health and GetInfo are added to it.
    ///   - version: peerd's version for GetInfo.
    ///   - onListening: called once the socket accepts connections (tests wait on it).
    public init(
        configuration: ServerConfiguration, router: RPCRouter = RPCRouter(), version: String,
        health: HealthStatus = HealthStatus(), logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, observeCall: CallObserver? = nil,
        onDrain: @escaping @Sendable () -> Void = {}, onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        var configuration = configuration
        configuration.serverName = "peerd"
        var router = router
        let services = Set(router.serviceNames + [Health.serviceName, InfoService.serviceName])
        HealthService.register(in: &router, status: health, knownServices: services)
        InfoService.register(
            in: &router, version: version, configuration: configuration, startedAt: .now,
            services: services.sorted())
        self.router = router
        self.server = SocketServer(
            configuration: configuration, router: router, health: health, logger: logger, group: group,
            observeCall: observeCall, onDrain: onDrain, onListening: onListening)
    }

    public func run() async throws { try await server.run() }
}

extension PeerdServer: CustomStringConvertible {
    public var description: String { "PeerdServer(socket: \(configuration.socketPath))" }
}
