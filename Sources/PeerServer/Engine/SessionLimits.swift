/// Bounds on what host sessions and Watch streams may hold, set by peerd's flags.
public struct SessionLimits: Sendable, Hashable {
    /// Commands queued for the host and not yet taken (`--max-queued-commands`). A host that lets
    /// more pile up is not taking them: its session is detached like a dead one.
    public var maxQueuedCommands: Int
    /// Events queued for one Watch stream and not yet handed to its socket
    /// (`--watch-queue-limit`); beyond it the stream ends with RESOURCE_EXHAUSTED.
    public var watchQueueLimit: Int
    /// Watch streams open at once (`--max-watch-streams`); more are RESOURCE_EXHAUSTED.
    public var maxWatchStreams: Int

    public static let defaultMaxQueuedCommands = 4096
    public static let defaultWatchQueueLimit = 65_536
    public static let defaultMaxWatchStreams = 64

    public init(
        maxQueuedCommands: Int = Self.defaultMaxQueuedCommands, watchQueueLimit: Int = Self.defaultWatchQueueLimit,
        maxWatchStreams: Int = Self.defaultMaxWatchStreams
    ) {
        self.maxQueuedCommands = maxQueuedCommands
        self.watchQueueLimit = watchQueueLimit
        self.maxWatchStreams = maxWatchStreams
    }
}
