import PeerIdentity

/// The host's id for one transport connection; unique for the host's lifetime.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "conn-\(rawValue)" }
}

/// What identify told the host about a peer.
public struct IdentifyInfo: Sendable, Hashable {
    public var protocols: [String]
    public var agent: String?
    public var protocolVersion: String?
    public var publicKey: [UInt8]?
    public var listenAddresses: [Multiaddr]

    public init(
        protocols: [String], agent: String? = nil, protocolVersion: String? = nil, publicKey: [UInt8]? = nil,
        listenAddresses: [Multiaddr] = []
    ) {
        self.protocols = protocols
        self.agent = agent
        self.protocolVersion = protocolVersion
        self.publicKey = publicKey
        self.listenAddresses = listenAddresses
    }
}

/// The outcome of a metadata exchange (`/vac/waku/metadata/1.0.0`).
public enum MetadataResult: Sendable, Hashable {
    /// The peer answered; `clusterID` is `nil` when the response left it out.
    case received(clusterID: UInt16?, shards: [UInt16])
    /// The stream could not be opened or the request failed.
    case failed(reason: String)
}

/// How a command the engine issued ended, as the host reports it.
public enum CommandOutcome: Sendable, Hashable {
    case succeeded
    case failed(reason: String)
    case timedOut
    /// The answer to ``HostCommand/requestMetadata(peer:timeout:)``.
    case metadata(MetadataResult)
}

/// Something the host saw. The host reports these in order; the engine never asks.
///
/// Ordering the engine relies on: a dial's ``connectionOpened`` should arrive before its
/// ``commandCompleted`` with `.succeeded`, as libp2p raises Joined inside `connect`.
public enum HostEvent: Sendable, Hashable {
    /// A transport connection opened. The first open connection of a peer is nwaku's Joined.
    /// `observedAddress` is the remote address; its IP feeds the colocation limit.
    case connectionOpened(ConnectionID, peer: PeerID, direction: PeerDirection, observedAddress: Multiaddr?)
    /// A transport connection closed. The last one closing is nwaku's Left.
    case connectionClosed(ConnectionID)
    /// A protocol stream opened on a connection of `peer`.
    case streamOpened(peer: PeerID, protocolID: String, direction: PeerDirection)
    /// A protocol stream closed.
    case streamClosed(peer: PeerID, protocolID: String, direction: PeerDirection)
    /// Identify finished for a connected peer.
    case identified(peer: PeerID, IdentifyInfo)
    /// The host ran the metadata exchange itself (without a ``HostCommand/requestMetadata(peer:timeout:)``).
    case metadata(peer: PeerID, MetadataResult)
    /// The result of a command the engine issued.
    case commandCompleted(CommandID, CommandOutcome)
    /// The host's own view of network reachability (nwaku's online monitor DNS check).
    case networkReachability(online: Bool)
}
