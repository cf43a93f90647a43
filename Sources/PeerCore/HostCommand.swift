import PeerIdentity

/// The engine's id for a command; unique per engine, increasing.
public struct CommandID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: CommandID, rhs: CommandID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "cmd-\(rawValue)" }
}

/// Something the engine asks the host to do. The host reports the outcome with
/// ``HostEvent/commandCompleted(_:_:)`` and the command's id.
public enum HostCommand: Sendable, Hashable {
    /// Connect to the peer within `timeout`: with no protocol, libp2p `connect`; with one, nwaku
    /// `dialPeer(peer, proto)` (libp2p `dial(peer, addrs, proto)`: connect and open a stream of it).
    case dial(peer: PeerID, addresses: [Multiaddr], timeout: Duration, protocolID: String? = nil)
    /// Close every connection to the peer.
    case disconnect(peer: PeerID, reason: DecisionReason)
    /// Run the metadata exchange with a connected peer and report a `.metadata` outcome.
    case requestMetadata(peer: PeerID, timeout: Duration)
    /// Find more relay peers of one of our shards (discv5, peer exchange) and report them with
    /// AddPeer: the shard is below the shard floor and the store knows too few connectable peers
    /// of it (``ShardCoverage/discoveryRequests(needs:candidates:lastRequested:now:interval:percent:)``).
    /// `wanted` is how many new connectable peers would fill it.
    case requestDiscovery(clusterID: UInt16, shard: UInt16, wanted: Int)

    /// The peer the command is about (none for a discovery request).
    public var peer: PeerID? {
        switch self {
        case .dial(let peer, _, _, _), .disconnect(let peer, _), .requestMetadata(let peer, _): peer
        case .requestDiscovery: nil
        }
    }
}

/// A command with its id.
public struct IssuedCommand: Sendable, Hashable {
    public var id: CommandID
    public var command: HostCommand

    public init(id: CommandID, command: HostCommand) {
        self.id = id
        self.command = command
    }
}

/// A peer-level change of the books: a peer entered or left the store, its first connection
/// opened or its last one closed (Watch's peer events).
public struct PeerChange: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case added, removed, connected, disconnected }
    public var kind: Kind
    public var peer: PeerID

    public init(_ kind: Kind, _ peer: PeerID) {
        self.kind = kind
        self.peer = peer
    }

    public var description: String { "\(kind) \(peer)" }
}

/// One output of the engine: a command to carry out, a decision to record, or a change of the
/// books to report.
public enum EngineAction: Sendable, Hashable {
    case command(IssuedCommand)
    case decision(Decision)
    /// Reported by the store and the connection table themselves, whatever code path made the
    /// change, so a watcher's view of the books can never drift from them.
    case peerChange(PeerChange)
}

extension Array where Element == EngineAction {
    /// The commands, in order.
    public var commands: [IssuedCommand] {
        compactMap { if case .command(let command) = $0 { command } else { nil } }
    }

    /// The decisions, in order.
    public var decisions: [Decision] {
        compactMap { if case .decision(let decision) = $0 { decision } else { nil } }
    }

    /// The changes of the books, in order.
    public var peerChanges: [PeerChange] {
        compactMap { if case .peerChange(let change) = $0 { change } else { nil } }
    }
}
