import PeerWire

/// How the socket server listens and what it accepts.
public struct ServerConfiguration: Sendable, Hashable {
    /// The Unix socket path. See ``SocketPath/defaultPath(uid:environment:)`` for the default.
    public var socketPath: String
    /// User ids allowed to connect besides peerd's own (checked with SO_PEERCRED). Empty: same uid only.
    /// When non-empty the socket file is made world-writable (0666) so those users can connect at
    /// all; the credential check is then the gate.
    public var allowedUIDs: Set<UInt32>
    /// Largest frame payload accepted, in bytes (default 4 MiB, ttrpc's limit).
    public var maxFrameSize: Int
    /// Streams one connection may have open at once (default 128); more get RESOURCE_EXHAUSTED.
    public var maxConcurrentStreams: Int
    /// Client messages a stream may have queued (default 8192). At a quarter of it (2048) peerd
    /// stops reading the connection until the handler catches up (backpressure), so the limit is
    /// only reached when one socket read still carries that many frames; then the stream fails
    /// with RESOURCE_EXHAUSTED. A slow handler never makes the connection buffer without bound.
    public var maxQueuedMessagesPerStream: Int
    /// How long calls in flight may run after SIGTERM before their connections are closed.
    public var shutdownGracePeriod: Duration
    /// The longest string or bytes field a request may carry, in bytes (default 4096, see
    /// ``WireLimits/defaultMaxFieldBytes``); longer ones, and strings with a NUL byte, are
    /// INVALID_ARGUMENT.
    public var maxFieldBytes: Int

    /// The limits requests are decoded with.
    public var wireLimits: WireLimits { WireLimits(maxFieldBytes: maxFieldBytes) }

    public init(
        socketPath: String,
        allowedUIDs: Set<UInt32> = [],
        maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize,
        maxConcurrentStreams: Int = 128,
        maxQueuedMessagesPerStream: Int = 8192,
        shutdownGracePeriod: Duration = .seconds(5),
        maxFieldBytes: Int = WireLimits.defaultMaxFieldBytes
    ) {
        self.socketPath = socketPath
        self.allowedUIDs = allowedUIDs
        self.maxFrameSize = maxFrameSize
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxQueuedMessagesPerStream = maxQueuedMessagesPerStream
        self.shutdownGracePeriod = shutdownGracePeriod
        self.maxFieldBytes = maxFieldBytes
    }

    /// Every problem with the configuration, one line each; empty when valid.
    public func problems() -> [String] {
        var problems: [String] = []
        if socketPath.isEmpty { problems.append("socket path: must not be empty") }
        if socketPath.utf8.count > SocketPath.maxLength {
            problems.append(
                "socket path: \(socketPath.utf8.count) bytes, max \(SocketPath.maxLength) (sun_path limit)")
        }
        if maxFrameSize < 1024 || maxFrameSize > 16 << 20 {
            problems.append("max frame size: \(maxFrameSize), must be 1024...\(16 << 20)")
        }
        if maxConcurrentStreams < 1 { problems.append("max concurrent streams: \(maxConcurrentStreams), must be >= 1") }
        if maxQueuedMessagesPerStream < 16 {
            problems.append("max queued messages per stream: \(maxQueuedMessagesPerStream), must be >= 16")
        }
        if !WireLimits.maxFieldBytesRange.contains(maxFieldBytes) {
            problems.append(
                "--max-field-bytes: \(maxFieldBytes), must be \(WireLimits.maxFieldBytesRange.lowerBound)"
                    + "...\(WireLimits.maxFieldBytesRange.upperBound)")
        }
        if shutdownGracePeriod < .zero { problems.append("shutdown grace period: must not be negative") }
        return problems
    }
}
