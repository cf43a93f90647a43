import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The Prometheus endpoint as a `Service`: a minimal HTTP/1.1 server answering `GET /metrics`.
///
/// Binds `host:port` (by default 127.0.0.1:8008, nwaku's metrics port), calls `refresh` before
/// each rendering (so gauges are exact at scrape time), and answers `text/plain; version=0.0.4`.
/// Other paths get 404, other methods on `/metrics` get 405, a request that does not parse (or
/// whose head is too large) gets 400; after any of these the connection is closed, so only a
/// scraper that asks correctly keeps one open. Graceful shutdown (or cancellation) closes the
/// listener, then the open (keep-alive) connections.
public struct MetricsServer: Service, CustomStringConvertible {
    /// nwaku's default metrics port.
    public static let defaultPort = 8008
    /// The content type of the Prometheus text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public let host: String
    public let port: Int
    private let metrics: PeerMetrics
    private let logger: Logger
    private let refresh: @Sendable () -> Void
    private let onBound: @Sendable (Int) -> Void
    private let group: any EventLoopGroup

    /// - Parameters:
    ///   - host: the address to listen on; keep it on loopback unless a scraper elsewhere needs it.
    ///   - port: the TCP port; 0 picks a free one (reported to `onBound`).
    ///   - refresh: called before each rendering, e.g. to call ``PeerMetrics/update(from:now:)``
    ///     under the engine lock. It runs on an event loop: keep it short.
    ///   - onBound: called once listening, with the actual port.
    public init(
        host: String = "127.0.0.1", port: Int = MetricsServer.defaultPort, metrics: PeerMetrics, logger: Logger,
        refresh: @escaping @Sendable () -> Void, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
        self.refresh = refresh
        self.onBound = onBound
        self.group = MultiThreadedEventLoopGroup.singleton
    }

    public var description: String { "MetricsServer(\(host):\(port))" }

    public func run() async throws {
        let metrics = metrics
        let refresh = refresh
        let render: @Sendable () -> [UInt8] = {
            refresh()
            return metrics.exposition()
        }
        let connections = OpenConnections()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
                }
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw MetricsServerError(description: "cannot listen on \(host):\(port): \(error)")
        }
        let boundPort = listener.localAddress?.port ?? port
        logger.info("metrics listening", metadata: ["metrics.address": "\(host):\(boundPort)"])
        onBound(boundPort)

        await withTaskCancellationOrGracefulShutdownHandler {
            try? await listener.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            listener.close(promise: nil)
        }
        await connections.closeAll()
        logger.info("metrics stopped", metadata: ["metrics.address": "\(host):\(boundPort)"])
    }
}

/// The accepted connections, so shutdown can close the keep-alive ones a scraper holds open.
private final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = channels.withLock { $0.removeValue(forKey: id) }
        }
    }

    func closeAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}

/// The metrics endpoint could not start (address in use, bad host, ...).
public struct MetricsServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Answers each request on one connection: `GET /metrics` renders, everything else is refused
/// and ends the connection.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> [UInt8]
    private var request: HTTPRequestHead?
    /// An answer that ends the connection was written: requests pipelined behind it are dropped.
    private var closing = false

    init(render: @escaping @Sendable () -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let status: HTTPResponseStatus
        let body: [UInt8]
        var headers = HTTPHeaders()
        if path != "/metrics" {
            status = .notFound
            body = Array("not found; metrics are at /metrics\n".utf8)
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        } else if head.method != .GET {
            status = .methodNotAllowed
            body = Array("method not allowed\n".utf8)
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            headers.add(name: "Allow", value: "GET")
        } else {
            status = .ok
            body = render()
            headers.add(name: "Content-Type", value: MetricsServer.contentType)
        }
        headers.add(name: "Content-Length", value: "\(body.count)")
        // Only a good scrape keeps the connection: a client that sent something else gets its
        // answer, then the door, instead of a connection it can keep open for free.
        let keepAlive = head.isKeepAlive && status == .ok
        if !keepAlive { headers.add(name: "Connection", value: "close") }

        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            closing = true
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// A request NIO's parser refused (malformed, or a head over its size limit): the error
    /// handler in front has already answered 400 and flushed it; nothing more can be read from
    /// this connection, so it is closed instead of left open.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension MetricsHTTPHandler: Sendable {}
