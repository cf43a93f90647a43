import ArgumentParser
import PeerServer
import PeerWire
import TTRPCServer

struct LimitOptions: ParsableArguments {
    typealias Bounds = ServerConfiguration.Bounds

    @Option(
        help: """
            Largest frame payload accepted, in bytes \(FlagBounds.help(Bounds.maxFrameSize)); ttrpc's \
            limit (4 MiB) is the default.
            """)
    var maxFrameSize: Int = 4 << 20

    @Option(
        help: """
            Streams one connection may have open at once; more get RESOURCE_EXHAUSTED \
            \(FlagBounds.help(Bounds.maxConcurrentStreams)).
            """)
    var maxConcurrentStreams: Int = 128

    @Option(
        help: """
            Client messages a stream may have queued: reading pauses at a quarter of it until the \
            handler catches up; beyond it the stream fails with RESOURCE_EXHAUSTED \
            \(FlagBounds.help(Bounds.maxQueuedMessagesPerStream)).
            """)
    var maxQueuedMessages: Int = 8192

    @Option(
        help: """
            Longest string or bytes field a request may carry, in bytes (512 to 1 MiB); longer \
            ones, and strings with a NUL byte, are INVALID_ARGUMENT.
            """)
    var maxFieldBytes: Int = 4096

    @Option(
        help: """
            Most items one repeated field of a request may hold \(FlagBounds.help(WireLimits.maxRepeatedItemsRange)): \
            a host's hello snapshot, a ReportEvents batch, a peer's addresses; more are \
            INVALID_ARGUMENT before anything is allocated for them.
            """)
    var maxRepeatedItems: Int = WireLimits.defaultMaxRepeatedItems

    @Option(
        help: ArgumentHelp(
            "Seconds calls in flight may run after SIGTERM/SIGINT \(FlagBounds.help(Bounds.shutdownGracePeriod)).",
            valueName: "seconds"))
    var shutdownGrace: Double = 5

    /// Every flag out of its range, named with the rule; checked before any value is converted.
    func problems() -> [String] {
        [
            FlagBounds.count("--max-frame-size", maxFrameSize, in: Bounds.maxFrameSize),
            FlagBounds.count("--max-concurrent-streams", maxConcurrentStreams, in: Bounds.maxConcurrentStreams),
            FlagBounds.count("--max-queued-messages", maxQueuedMessages, in: Bounds.maxQueuedMessagesPerStream),
            FlagBounds.count("--max-field-bytes", maxFieldBytes, in: WireLimits.maxFieldBytesRange),
            FlagBounds.count("--max-repeated-items", maxRepeatedItems, in: WireLimits.maxRepeatedItemsRange),
            FlagBounds.seconds("--shutdown-grace", shutdownGrace, in: Bounds.shutdownGracePeriod),
        ].compactMap { $0 }
    }

    /// The grace period; ``problems()`` has refused values out of range before peerd uses it.
    var shutdownGracePeriod: Duration { FlagBounds.duration(seconds: shutdownGrace) }
}
