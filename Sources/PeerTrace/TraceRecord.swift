import PeerCore
import PeerIdentity

/// A host session starting or ending, as peerd saw it.
public enum TraceSession: Sendable, Hashable {
    /// A host attached with this hello (its snapshot follows as `event` records).
    case attached(id: UInt64, selfID: PeerID, clusterID: UInt16?, shards: [UInt16], online: Bool, takeOver: Bool)
    /// The session ended; `reason` is peerd's sentence for why (stream ended, replaced, ...).
    case detached(id: UInt64, reason: String)
}

/// One record of a host trace after the header.
public enum TraceRecord: Sendable, Hashable {
    /// A host event the engine applied (from a session's events or its hello snapshot).
    case event(HostEvent)
    /// A peer the host or a client reported through AddPeer, with its origin.
    case peerAdded(PeerInfo, origin: PeerOrigin)
    /// A command peerd issued to the host.
    case command(IssuedCommand)
    /// A host session attached or detached.
    case session(TraceSession)
    /// The recorder dropped `dropped` records here (its writer fell behind): the trace is not
    /// complete between the records around it.
    case gap(dropped: UInt64)
}

/// A record with its time: milliseconds since the trace's ``TraceHeader/started``, read from the
/// engine clock the record was made at (never decreasing within a trace).
public struct TraceEntry: Sendable, Hashable {
    public var milliseconds: Int64
    public var record: TraceRecord

    public init(milliseconds: Int64, record: TraceRecord) {
        self.milliseconds = milliseconds
        self.record = record
    }

    /// A duration in the trace's unit: whole milliseconds, saturating at the `Int64` bounds.
    public static func milliseconds(_ duration: Duration) -> Int64 {
        TraceNames.milliseconds(duration)
    }
}
