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

    /// A healthy host holds a handful of commands (dials go out 10 at a time); the largest
    /// legitimate burst is a metadata request per connection of a hello's snapshot, and 4096 is
    /// far above nwaku's connection limits.
    public static let defaultMaxQueuedCommands = 4096
    /// A reader that keeps reading never holds more than one burst; the limit is how long a
    /// reader may stall (descheduled, paging) before it is dropped: about 3 s at the 20,000
    /// events/s that 4 connections of AddPeer produce on 2 cores, for about 13 MB (about 200
    /// bytes an event), shared by the watchers that hold the same events.
    public static let defaultWatchQueueLimit = 65_536
    /// Watch streams are for operators and tools (peerctl watch, a dashboard): 16 is plenty, and
    /// bounds what stalled watchers can pin at 16 queues.
    public static let defaultMaxWatchStreams = 16

    public init(
        maxQueuedCommands: Int = Self.defaultMaxQueuedCommands, watchQueueLimit: Int = Self.defaultWatchQueueLimit,
        maxWatchStreams: Int = Self.defaultMaxWatchStreams
    ) {
        self.maxQueuedCommands = maxQueuedCommands
        self.watchQueueLimit = watchQueueLimit
        self.maxWatchStreams = maxWatchStreams
    }
}
