import Logging
import NIOCore
import NIOPosix
import PeerCore
import PeerIdentity
import PeerWire
import TTRPCServer

/// peerd assembled: the engine runtime, its loops, and the socket server with every service.
public struct Sidecar: Sendable {
    public let runtime: EngineRuntime
    public let server: PeerdServer
    public let loops: EngineLoops
    /// Writes the books behind to the peer store file (a service to run beside the loops); nil
    /// without persistence.
    public let storeWriter: PeerStoreWriter?

    /// - Parameters:
    ///   - engine: the engine configuration (validated: throws ``ConfigurationError``).
    ///   - observers: receive every batch of decisions (metrics).
    ///   - metricsAddress: shown by GetConfiguration ("" when metrics are off).
    ///   - limits: commands queued per host session, Watch queues and streams.
    ///   - persistence: the peer store file, loaded here (nil: the books live in memory only).
    ///   - hostTrace: records the host trace (`--record-host-trace`); the caller closes it after
    ///     the server stopped.
    public init(
        server configuration: ServerConfiguration, engine engineConfiguration: EngineConfiguration, version: String,
        metricsAddress: String = "", sessionTimeout: Duration = HostService.defaultSessionTimeout,
        limits: SessionLimits = .init(), persistence: PersistenceConfiguration? = nil,
        hostTrace: HostTraceRecorder? = nil, clock: any EngineClock = WallClock(), logger: Logger,
        observers: [EngineRuntime.DecisionObserver] = [],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, observeCall: CallObserver? = nil,
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        // The host's own id arrives with its hello; until then no peer can be "self".
        var engine = try PeerEngine(configuration: engineConfiguration, selfID: PeerID(multihash: []))
        // Offline until a host attaches: nobody could carry out a dial, and the ones that expired
        // unanswered would push peers into backoff.
        _ = engine.handle(.networkReachability(online: false), now: clock.now())
        let storeWriter = try persistence.map { try Self.load($0, into: &engine, now: clock.now(), logger: logger) }
        let runtime = EngineRuntime(
            engine: engine, clock: clock, logger: logger, limits: limits, observers: observers,
            storeWriter: storeWriter, hostTrace: hostTrace)
        storeWriter?.attach(runtime)
        self.storeWriter = storeWriter
        var router = RPCRouter()
        HostService.register(in: &router, runtime: runtime, sessionTimeout: sessionTimeout)
        PeerManagerService(
            runtime: runtime,
            settings: .init(
                socketPath: configuration.socketPath, metricsAddress: metricsAddress,
                maxReplyBytes: configuration.maxFrameSize)
        ).register(in: &router)
        self.runtime = runtime
        self.server = PeerdServer(
            configuration: configuration, router: router, version: version, logger: logger, group: group,
            observeCall: observeCall, onDrain: { runtime.shutDown() }, onListening: onListening)
        self.loops = EngineLoops(runtime: runtime, logger: logger, sessionTimeout: sessionTimeout)
    }
}
