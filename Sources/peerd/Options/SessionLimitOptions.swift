import ArgumentParser
import PeerServer

/// Bounds on host sessions and Watch streams: what one host or watcher may make peerd hold.
struct SessionLimitOptions: ParsableArguments {
    static let maxQueuedCommandsRange = 16...1_048_576
    static let watchQueueLimitRange = 64...4_194_304
    static let maxWatchStreamsRange = 1...4096

    @Option(
        help: """
            Commands queued for the host and not yet taken (\(Self.maxQueuedCommandsRange.lowerBound) to \
            \(Self.maxQueuedCommandsRange.upperBound)). A host that lets more pile up is detached like a \
            dead one: its commands are dropped and waiting Connect calls end.
            """)
    var maxQueuedCommands: Int = SessionLimits.defaultMaxQueuedCommands

    @Option(
        help: """
            Events queued for one Watch stream and not yet written to its socket \
            (\(Self.watchQueueLimitRange.lowerBound) to \(Self.watchQueueLimitRange.upperBound)); a reader \
            that stops reading is dropped with RESOURCE_EXHAUSTED.
            """)
    var watchQueueLimit: Int = SessionLimits.defaultWatchQueueLimit

    @Option(
        help: """
            Watch streams open at once (\(Self.maxWatchStreamsRange.lowerBound) to \
            \(Self.maxWatchStreamsRange.upperBound)); more are RESOURCE_EXHAUSTED.
            """)
    var maxWatchStreams: Int = SessionLimits.defaultMaxWatchStreams

    var limits: SessionLimits {
        SessionLimits(
            maxQueuedCommands: maxQueuedCommands, watchQueueLimit: watchQueueLimit, maxWatchStreams: maxWatchStreams)
    }

    /// Every problem, each naming its flag and the rule.
    func problems() -> [String] {
        [
            Self.check("--max-queued-commands", maxQueuedCommands, Self.maxQueuedCommandsRange),
            Self.check("--watch-queue-limit", watchQueueLimit, Self.watchQueueLimitRange),
            Self.check("--max-watch-streams", maxWatchStreams, Self.maxWatchStreamsRange),
        ].compactMap { $0 }
    }

    private static func check(_ flag: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
        range.contains(value)
            ? nil : "\(flag): must be \(range.lowerBound) to \(range.upperBound) (actual: \(value))"
    }
}
