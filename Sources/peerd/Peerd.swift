import ArgumentParser
import Logging
import PeerServer
import ServiceLifecycle
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
            messages: the host node attaches to it, operators and scripts query it. Services: \
            grpc.health.v1.Health and waku.peermanager.v1.PeerManager. See docs/protocol.md.

            SIGTERM or SIGINT: health turns NOT_SERVING, no new connections or calls are accepted, \
            calls in flight get the grace period, then the socket file is removed.
            """,
        version: version)

    @OptionGroup(title: "Socket") var socket: SocketOptions
    @OptionGroup(title: "Peer manager (nwaku's names and defaults)") var engine: EngineOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func validate() throws {
        let problems = serverConfiguration().problems() + engine.problems()
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
            shutdownGracePeriod: .milliseconds(Int64(limits.shutdownGrace * 1000)))
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "peerd")
        let sidecar = try Sidecar(
            server: serverConfiguration(), engine: engine.configuration, version: Self.version,
            sessionTimeout: .seconds(engine.hostSessionTimeout), logger: logger)
        // Shut down in reverse order: the server drains first, then the loops stop.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: sidecar.loops), .init(service: sidecar.server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch let error as SocketFileError {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
