import PeerIdentity

/// How reachable a peer is, with nwaku's ordinals (persisted as such).
public enum Connectedness: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// New or unknown: never connected, never failed.
    case notConnected = 0
    /// The last dial failed.
    case cannotConnect = 1
    /// Was connected and left.
    case canConnect = 2
    /// At least one connection is open.
    case connected = 3

    /// nwaku's names (a switch, not reflection: these are interpolated on hot paths).
    public var description: String {
        switch self {
        case .notConnected: "NotConnected"
        case .cannotConnect: "CannotConnect"
        case .canConnect: "CanConnect"
        case .connected: "Connected"
        }
    }
}

/// Where the engine learnt about a peer (nwaku `PeerOrigin`, including logos-delivery's `Cache`).
public enum PeerOrigin: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case discv5
    case `static`
    case peerExchange
    case dns
    case kademlia
    /// Loaded from persistent storage; reconnected after the reconnect backoff.
    case cache

    /// nwaku's names.
    public var description: String {
        switch self {
        case .unknown: "UnknownOrigin"
        case .discv5: "Discv5"
        case .static: "Static"
        case .peerExchange: "PeerExchange"
        case .dns: "Dns"
        case .kademlia: "Kademlia"
        case .cache: "Cache"
        }
    }
}

/// The direction of a peer's first open connection (nwaku `PeerDirection`).
public enum PeerDirection: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case inbound
    case outbound

    /// nwaku's names.
    public var description: String {
        switch self {
        case .unknown: "UnknownDirection"
        case .inbound: "Inbound"
        case .outbound: "Outbound"
        }
    }
}

/// The facts the engine uses from a peer's ENR, decoded elsewhere (PeerIdentity owns ENR decoding).
public struct PeerENRInfo: Sendable, Hashable {
    /// The ENR sequence number; a lower number than the stored one marks a stale record.
    public var sequence: UInt64
    /// The `enr:...` text, kept so it can be persisted and served back.
    public var text: String
    /// The `rs`/`rsv` field, if any.
    public var relayShards: RelayShards?
    /// The `waku2` field (empty when absent).
    public var capabilities: WakuCapabilities

    public init(sequence: UInt64, text: String, relayShards: RelayShards? = nil, capabilities: WakuCapabilities = []) {
        self.sequence = sequence
        self.text = text
        self.relayShards = relayShards
        self.capabilities = capabilities
    }
}

/// What a client or discovery tells the engine about a peer (nwaku `RemotePeerInfo`, minus state).
public struct PeerInfo: Sendable, Hashable {
    public var id: PeerID
    public var addresses: [Multiaddr]
    public var protocols: [String]
    public var publicKey: [UInt8]?
    public var agent: String?
    public var protocolVersion: String?
    public var enr: PeerENRInfo?

    public init(
        id: PeerID, addresses: [Multiaddr] = [], protocols: [String] = [], publicKey: [UInt8]? = nil,
        agent: String? = nil, protocolVersion: String? = nil, enr: PeerENRInfo? = nil
    ) {
        self.id = id
        self.addresses = addresses
        self.protocols = protocols
        self.publicKey = publicKey
        self.agent = agent
        self.protocolVersion = protocolVersion
        self.enr = enr
    }
}

/// Everything the peer books hold about one peer, as a value.
///
/// This is what queries return and what ``PeerSnapshot`` exports and imports for persistence.
/// Unlike nwaku's storage it keeps origin, failures and metadata shards, so nothing the policy
/// depends on is lost across a restart.
public struct PeerRecord: Sendable, Hashable {
    public var id: PeerID
    /// Dial addresses (nwaku AddressBook); overwritten by newer information.
    public var addresses: [Multiaddr]
    /// Protocols in the order they were learnt (nwaku ProtoBook).
    public var protocols: [String]
    public var publicKey: [UInt8]?
    public var agent: String?
    public var protocolVersion: String?
    public var enr: PeerENRInfo?
    public var origin: PeerOrigin
    public var connectedness: Connectedness
    public var direction: PeerDirection
    /// When the peer's last connection closed.
    public var disconnectTime: EngineTime?
    /// Consecutive failed dials since the last successful outbound connection.
    public var failedAttempts: Int
    public var lastFailedAttempt: EngineTime?
    /// Shards reported by the metadata protocol, with the cluster they were reported in.
    public var metadataShards: RelayShards?

    public init(
        id: PeerID, addresses: [Multiaddr] = [], protocols: [String] = [], publicKey: [UInt8]? = nil,
        agent: String? = nil, protocolVersion: String? = nil, enr: PeerENRInfo? = nil,
        origin: PeerOrigin = .unknown, connectedness: Connectedness = .notConnected,
        direction: PeerDirection = .unknown, disconnectTime: EngineTime? = nil, failedAttempts: Int = 0,
        lastFailedAttempt: EngineTime? = nil, metadataShards: RelayShards? = nil
    ) {
        self.id = id
        self.addresses = addresses
        self.protocols = protocols
        self.publicKey = publicKey
        self.agent = agent
        self.protocolVersion = protocolVersion
        self.enr = enr
        self.origin = origin
        self.connectedness = connectedness
        self.direction = direction
        self.disconnectTime = disconnectTime
        self.failedAttempts = failedAttempts
        self.lastFailedAttempt = lastFailedAttempt
        self.metadataShards = metadataShards
    }

    /// Whether the ENR or the metadata shards place the peer on this shard (cluster included).
    public func serves(_ shard: RelayShard) -> Bool {
        enr?.relayShards?.contains(clusterID: shard.clusterID, shardID: shard.shardID) == true
            || metadataShards?.contains(clusterID: shard.clusterID, shardID: shard.shardID) == true
    }
}

/// Well-known protocol ids.
public enum WakuCodec {
    /// The relay (gossipsub) codec; never dialled as a stream and never a service slot.
    public static let relay = "/vac/waku/relay/2.0.0"
    public static let metadata = "/vac/waku/metadata/1.0.0"
    public static let store = "/vac/waku/store-query/3.0.0"
    public static let filterSubscribe = "/vac/waku/filter-subscribe/2.0.0-beta1"
    public static let lightpush = "/vac/waku/lightpush/3.0.0"
    public static let peerExchange = "/vac/waku/peer-exchange/2.0.0-alpha1"
    /// The prefix `getWakuProtos` uses.
    public static let wakuPrefix = "/vac/waku"
}
