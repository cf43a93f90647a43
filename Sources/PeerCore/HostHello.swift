import PeerIdentity

/// A host's hello, parsed and checked: who the host is, what it is configured for, and its
/// connections at the moment it attaches.
///
/// The engine owner attaches a host from this value only; the wire form is parsed and validated
/// by the host service before it gets here.
public struct HostHello: Sendable, Hashable {
    /// The host's own peer id (never stored as a peer).
    public var selfID: PeerID
    public var clusterID: UInt16?
    public var shards: [UInt16]
    public var online: Bool
    /// Replace an attached host rather than be refused.
    public var takeOver: Bool
    /// The host's connections and what identify told it, as events applied after attaching:
    /// ``HostEvent/connectionOpened(_:peer:direction:observedAddress:)`` and
    /// ``HostEvent/identified(peer:_:)`` only.
    public var snapshot: [HostEvent]

    public init(
        selfID: PeerID, clusterID: UInt16? = nil, shards: [UInt16] = [], online: Bool = true, takeOver: Bool = false,
        snapshot: [HostEvent] = []
    ) {
        self.selfID = selfID
        self.clusterID = clusterID
        self.shards = shards
        self.online = online
        self.takeOver = takeOver
        self.snapshot = snapshot
    }

    /// How many connections the snapshot holds.
    public var connectionCount: Int {
        snapshot.count { if case .connectionOpened = $0 { true } else { false } }
    }
}
