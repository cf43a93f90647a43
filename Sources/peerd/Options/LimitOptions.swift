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

    @Option(help: ArgumentHelp("Seconds calls in flight may run after SIGTERM/SIGINT.", valueName: "seconds"))
    var shutdownGrace: Double = 5
}
