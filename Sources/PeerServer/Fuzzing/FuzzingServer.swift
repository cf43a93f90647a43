import Logging
import NIOCore
import PeerCore
import PeerIdentity
import PeerWire
import Synchronization
@_spi(Fuzzing) import TTRPCServer

/// peerd's request path without a socket, for the libFuzzer targets in Fuzz/.
///
/// Holds a real router with every service (Health, GetInfo, PeerManager, Host) over a fresh
/// in-memory engine, and adds the real `ConnectionHandler` to a channel the fuzzer drives (an
/// in-process test channel). It counts the handler bodies still running, so that the fuzzer can
/// wait for a closed connection's calls to end before it starts the next input: a call that never
/// ends after its connection closed shows up as a libFuzzer timeout.
@_spi(Fuzzing)
public final class FuzzingServer: Sendable {
    public let runtime: EngineRuntime
    private let router: RPCRouter
    private let registry = ConnectionRegistry()
    private let configuration: ServerConfiguration
    private let logger: Logger
    private let running: RunningCounter

    /// - Parameter configuration: the connection limits (the defaults unless a target varies them).
    public init(configuration: ServerConfiguration = ServerConfiguration(socketPath: "/fuzz/peerd.sock")) throws {
        // Every log message is rendered, at trace level, and dropped: the fuzzer runs the
        // interpolations too.
        let logger = Logger(label: "fuzz") { _ in RenderingLogHandler() }
        var engine = try PeerEngine(configuration: EngineConfiguration(), selfID: PeerID(multihash: []))
        _ = engine.handle(.networkReachability(online: false), now: WallClock().now())
        let runtime = EngineRuntime(engine: engine, logger: logger)
        var router = RPCRouter()
        HostService.register(in: &router, runtime: runtime, sessionTimeout: HostService.defaultSessionTimeout)
        PeerManagerService(
            runtime: runtime, settings: .init(socketPath: configuration.socketPath, metricsAddress: "")
        ).register(in: &router)
        let services = Set(router.serviceNames + [Health.serviceName, InfoService.serviceName])
        let health = HealthStatus()
        health.set(.serving)
        HealthService.register(in: &router, status: health, knownServices: services)
        InfoService.register(
            in: &router, version: "fuzz", configuration: configuration, startedAt: .now, services: services.sorted())

        let running = RunningCounter()
        self.router = running.wrapping(router)
        self.running = running
        self.runtime = runtime
        self.configuration = configuration
        self.logger = logger
    }

    /// Adds the connection handler to `channel`'s pipeline; call it on the channel's event loop.
    public func addConnectionHandler(to channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandler(
            ConnectionHandler(
                router: router, configuration: configuration, credentials: PeerCredentials(pid: 1, uid: 0, gid: 0),
                registry: registry, logger: logger))
    }

    /// Handler bodies (unary and streaming calls) that have started and not yet returned.
    public var handlersRunning: Int { running.count }

    /// Stops what the engine runtime still runs (watchers, waiting calls).
    public func shutDown() { runtime.shutDown() }
}

/// Counts the handler bodies in flight by wrapping each route's handler.
private final class RunningCounter: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .acquiring) }

    func wrapping(_ router: RPCRouter) -> RPCRouter {
        var wrapped = RPCRouter()
        for (service, methods) in router.services {
            for (method, route) in methods {
                wrapped.register(service: service, method: method, wrapping(route.handler))
            }
        }
        return wrapped
    }

    private func wrapping(_ handler: RPCHandler) -> RPCHandler {
        switch handler {
        case .inline: return handler
        case .unary(let body):
            return .unary { request, context in
                self.value.add(1, ordering: .acquiringAndReleasing)
                defer { self.value.subtract(1, ordering: .acquiringAndReleasing) }
                return try await body(request, context)
            }
        case .serverStreaming(let body):
            return .serverStreaming { request, context, writer in
                self.value.add(1, ordering: .acquiringAndReleasing)
                defer { self.value.subtract(1, ordering: .acquiringAndReleasing) }
                try await body(request, context, writer)
            }
        case .bidirectionalStreaming(let body):
            return .bidirectionalStreaming { requests, context, writer in
                self.value.add(1, ordering: .acquiringAndReleasing)
                defer { self.value.subtract(1, ordering: .acquiringAndReleasing) }
                try await body(requests, context, writer)
            }
        }
    }
}

/// Renders every message and its metadata, then drops them.
private struct RenderingLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        _ = event.message.description.utf8.count
        if let metadata = event.metadata {
            for (key, value) in metadata { _ = key.utf8.count + value.description.utf8.count }
        }
    }
}
