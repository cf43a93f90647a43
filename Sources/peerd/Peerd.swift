import ArgumentParser
import Logging
import PeerCore
import PeerMetrics
import PeerServer
import PeerStorage
import PeerWire
import ServiceLifecycle
import TTRPCServer
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Peerd: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "peerd",
        abstract: "The Waku peer-manager sidecar: keeps the peer store and every peer-management decision.",
        discussion: """
            peerd listens on a private Unix socket and speaks ttrpc (protocol 1.2) with protobuf \
            messages. The host node attaches with waku.peermanager.v1.Host/Attach, reports what its \
            switch sees and carries out peerd's dial, disconnect and metadata commands; operators \
            and scripts use waku.peermanager.v1.PeerManager and grpc.health.v1.Health. See \
            docs/protocol.md. Prometheus metrics are served on 127.0.0.1:8008 by default.

            SIGTERM or SIGINT: health turns NOT_SERVING, the host is detached, no new connections \
            or calls are accepted, calls in flight get the grace period, then the socket file is \
            removed.
            """,
        version: version)

    @OptionGroup(title: "Socket") var socket: SocketOptions
    @OptionGroup(title: "Peer manager (nwaku's names and defaults)") var engine: EngineOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "Host sessions and Watch") var sessionLimits: SessionLimitOptions
    @OptionGroup(title: "Store limits") var storeLimits: StoreLimitOptions
    @OptionGroup(title: "Logging") var logging: LoggingOptions
    @OptionGroup(title: "Persistence") var persistence: PersistenceOptions
    @OptionGroup(title: "Host trace") var trace: TraceOptions

    /// Each option group checks its own flags (ranges, formats) before anything converts them;
    /// the server's own invariants are checked last, on values already in range.
    func validate() throws {
        var problems =
            socket.problems() + engine.problems() + metrics.problems() + limits.problems() + storeLimits.problems()
            + sessionLimits.problems() + persistence.problems() + trace.problems()
        if problems.isEmpty { problems = serverConfiguration().problems() }
        if !problems.isEmpty {
            throw ValidationError("invalid configuration:\n  " + problems.joined(separator: "\n  "))
        }
    }

    func serverConfiguration() -> ServerConfiguration {
        ServerConfiguration(
            socketPath: socket.resolvedPath,
            allowedUIDs: Set(socket.allowUID),
            maxFrameSize: limits.maxFrameSize,
            maxConcurrentStreams: limits.maxConcurrentStreams,
            maxQueuedMessagesPerStream: limits.maxQueuedMessages,
            shutdownGracePeriod: limits.shutdownGracePeriod,
            maxFieldBytes: limits.maxFieldBytes,
            maxRepeatedItems: limits.maxRepeatedItems)
    }

    func run() async throws {
        // A client that disconnects while peerd writes must not kill peerd: writev (used for
        // header plus payload) raises SIGPIPE where send with MSG_NOSIGNAL would not. Ignored,
        // the write fails with EPIPE and only that connection closes.
        signal(SIGPIPE, SIG_IGN)
        // A file-size limit (RLIMIT_FSIZE) reached by the peer store must fail that write, which
        // is reported and retried, not kill peerd with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        logging.bootstrap()
        let logger = Logger(label: "peerd")
        let peerMetrics = PeerMetrics()
        let persistenceConfiguration = try openPeerStore(logger: logger, metrics: peerMetrics)
        let hostTrace = try openHostTrace(logger: logger)
        // Written until the server and the loops stopped: the last detach and commands are in it.
        defer { hostTrace?.close() }
        let sidecar = try makeSidecar(
            logger: logger, metrics: peerMetrics, persistence: persistenceConfiguration, hostTrace: hostTrace)
        // Shut down in reverse order: the server drains first, then metrics, then the writer
        // commits what is left, then the loops stop.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: sidecar.loops)]
        if let writer = sidecar.storeWriter { services.append(.init(service: writer)) }
        if let endpoint = metrics.endpoint {
            let runtime = sidecar.runtime
            let traceDrops = hostTrace.map { TraceDropCounter(registry: peerMetrics.registry, recorder: $0) }
            services.append(
                .init(
                    service: MetricsServer(
                        host: endpoint.host, port: endpoint.port, metrics: peerMetrics, logger: logger,
                        refresh: {
                            peerMetrics.setHostAttached(runtime.hostAttached)
                            traceDrops?.refresh()
                            // Counted under the engine's lock, written to the registry after it:
                            // a scrape never holds the registry's locks inside the engine's.
                            let snapshot = runtime.read { engine, now, _ in engine.metricsSnapshot(now: now) }
                            peerMetrics.update(from: snapshot)
                        })))
        }
        services.append(.init(service: sidecar.server))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as SocketFileError {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        } catch let error as MetricsServerError {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
