import ArgumentParser

struct LimitOptions: ParsableArguments {
    @Option(help: "Largest frame payload accepted, in bytes (1024 to 16 MiB; ttrpc's limit is the default).")
    var maxFrameSize: Int = 4 << 20

    @Option(help: "Streams one connection may have open at once; more get RESOURCE_EXHAUSTED.")
    var maxConcurrentStreams: Int = 128

    @Option(
        help: """
            Client messages a stream may have queued: reading pauses at a quarter of it until the \
            handler catches up; beyond it the stream fails with RESOURCE_EXHAUSTED.
            """)
    var maxQueuedMessages: Int = 8192

    @Option(
        help: """
            Longest string or bytes field a request may carry, in bytes (512 to 1 MiB); longer \
            ones, and strings with a NUL byte, are INVALID_ARGUMENT.
            """)
    var maxFieldBytes: Int = 4096

    @Option(help: ArgumentHelp("Seconds calls in flight may run after SIGTERM/SIGINT.", valueName: "seconds"))
    var shutdownGrace: Double = 5
}
