import PeerWire

/// How the socket server listens and what it accepts.
public struct ServerConfiguration: Sendable, Hashable {
    /// The Unix socket path. See ``SocketPath/defaultPath(uid:environment:)`` for the default.
    public var socketPath: String
    /// User ids allowed to connect besides the server's own (checked with SO_PEERCRED). Empty: same uid only.
    /// When non-empty the socket file is made world-writable (0666) so those users can connect at
    /// all; the credential check is then the gate.
    public var allowedUIDs: Set<UInt32>
    /// Largest frame payload accepted, in bytes (default 4 MiB, ttrpc's limit).
    public var maxFrameSize: Int
    /// Streams one connection may have open at once (default 128); more get RESOURCE_EXHAUSTED.
    public var maxConcurrentStreams: Int
    /// Client messages a stream may have queued (default 8192). At a quarter of it (2048) the server
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
    /// The most items one repeated field of a request may hold (default 4096, see
    /// ``WireLimits/defaultMaxRepeatedItems``); more are INVALID_ARGUMENT before anything is
    /// allocated for them.
    public var maxRepeatedItems: Int
    /// The server's name in what clients and operators read: "<name> is shutting down" to a call
    /// refused while draining, "another <name> is serving" when the socket's lock is held.
    public var serverName: String

    /// The limits requests are decoded with.
    public var wireLimits: WireLimits { WireLimits(maxFieldBytes: maxFieldBytes, maxRepeatedItems: maxRepeatedItems) }

    public init(
        socketPath: String,
        allowedUIDs: Set<UInt32> = [],
        maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize,
        maxConcurrentStreams: Int = 128,
        maxQueuedMessagesPerStream: Int = 8192,
        shutdownGracePeriod: Duration = .seconds(5),
        maxFieldBytes: Int = WireLimits.defaultMaxFieldBytes,
        maxRepeatedItems: Int = WireLimits.defaultMaxRepeatedItems,
        serverName: String = "server"
    ) {
        self.socketPath = socketPath
        self.allowedUIDs = allowedUIDs
        self.maxFrameSize = maxFrameSize
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxQueuedMessagesPerStream = maxQueuedMessagesPerStream
        self.shutdownGracePeriod = shutdownGracePeriod
        self.maxFieldBytes = maxFieldBytes
        self.maxRepeatedItems = maxRepeatedItems
        self.serverName = serverName
    }

    /// The allowed range of each limit (the application's flags show and check the same ranges). Counts stay
    /// far below `UInt32.max`, the width of the Info reply's fields.
    public enum Bounds {
        public static let maxFrameSize: ClosedRange<Int> = 1024...(16 << 20)
        public static let maxConcurrentStreams: ClosedRange<Int> = 1...65_536
        public static let maxQueuedMessagesPerStream: ClosedRange<Int> = 16...1_048_576
        public static let shutdownGracePeriod: ClosedRange<Duration> = .zero...(.seconds(3600))
    }

    /// Every problem with the configuration, one line each; empty when valid.
    public func problems() -> [String] {
        var problems: [String] = []
        if socketPath.isEmpty { problems.append("socket path: must not be empty") }
        if socketPath.utf8.count > UnixSocketPath.maxLength {
            problems.append(
                "socket path: \(socketPath.utf8.count) bytes, max \(UnixSocketPath.maxLength) (sun_path limit)")
        }
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) {
            if !range.contains(value) {
                problems.append("\(name): \(value), must be \(range.lowerBound)...\(range.upperBound)")
            }
        }
        check("max frame size", maxFrameSize, Bounds.maxFrameSize)
        check("max concurrent streams", maxConcurrentStreams, Bounds.maxConcurrentStreams)
        check("max queued messages per stream", maxQueuedMessagesPerStream, Bounds.maxQueuedMessagesPerStream)
        if !Bounds.shutdownGracePeriod.contains(shutdownGracePeriod) {
            problems.append(
                "shutdown grace period: \(shutdownGracePeriod), must be "
                    + "\(Bounds.shutdownGracePeriod.lowerBound)...\(Bounds.shutdownGracePeriod.upperBound)")
        }
        check("max field bytes", maxFieldBytes, WireLimits.maxFieldBytesRange)
        check("max repeated items", maxRepeatedItems, WireLimits.maxRepeatedItemsRange)
        return problems
    }
}
