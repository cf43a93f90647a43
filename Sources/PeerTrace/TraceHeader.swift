import PeerCore
import PeerIdentity

/// The first line of a host trace: what it is, when it started and how peerd was configured.
public struct TraceHeader: Sendable, Hashable {
    /// The `trace` field every trace carries.
    public static let traceName = "peerd-host-trace"
    /// The newest format this module reads and the one it writes.
    public static let currentVersion = 1

    public var version: Int
    /// The engine time the trace's `t_ms` counts from.
    public var started: EngineTime
    /// The host's own id when known at the start (usually not: it comes with the session record).
    public var selfID: PeerID?
    public var clusterID: UInt16?
    public var shards: [UInt16]
    public var maxConnections: Int

    public init(
        version: Int = TraceHeader.currentVersion, started: EngineTime, selfID: PeerID? = nil,
        clusterID: UInt16? = nil, shards: [UInt16] = [], maxConnections: Int
    ) {
        self.version = version
        self.started = started
        self.selfID = selfID
        self.clusterID = clusterID
        self.shards = shards
        self.maxConnections = maxConnections
    }
}

/// A decoded trace: the header, the records in file order, and how many lines of an unknown kind
/// were skipped (only with ``TraceDecoder/Options/skipUnknownKinds``).
public struct HostTrace: Sendable, Hashable {
    public var header: TraceHeader
    public var entries: [TraceEntry]
    public var skippedUnknown: Int

    public init(header: TraceHeader, entries: [TraceEntry] = [], skippedUnknown: Int = 0) {
        self.header = header
        self.entries = entries
        self.skippedUnknown = skippedUnknown
    }
}
