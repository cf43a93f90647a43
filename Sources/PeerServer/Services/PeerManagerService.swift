import PeerCore
import PeerIdentity
import PeerWire
import TTRPCServer

/// `waku.peermanager.v1.PeerManager`: queries and administration over the engine.
///
/// Queries and changes that only touch the engine run inline on the event loop: a lock and a
/// few microseconds of engine work, no thread hop. Calls that wait for the host (Connect) run as
/// tasks. The engine is read and changed in its own terms under its lock; requests are parsed
/// before it and replies built after it. Bad input is refused naming the field, and changes
/// nothing; refusals are ``PeerManagerError``s (statuses in `PeerManagerError+Status.swift`).
struct PeerManagerService: Sendable {
    static let serviceName = "waku.peermanager.v1.PeerManager"

    /// What GetConfiguration reports besides the engine's own settings.
    struct Settings: Sendable {
        var socketPath: String
        var metricsAddress: String
        /// The largest reply frame (the server's max frame size): ListPeers pages fit in it.
        var maxReplyBytes: Int = FrameDecoder.defaultMaxFrameSize
    }

    let runtime: EngineRuntime
    let settings: Settings
    /// Text forms of the peers in replies, made once per peer (see ``PeerTextCache``).
    let texts = PeerTextCache()
    /// Encoded SelectPeer replies, made once per state of a peer (see ``PeerReplyCache``).
    let replies = PeerReplyCache()

    func register(in router: inout RPCRouter) {
        registerPeers(in: &router)
        registerSelection(in: &router)
        registerConnections(in: &router)
        registerStatus(in: &router)
    }

    /// Refuses (``PeerManagerError/noHost(action:)``) unless a host is attached: only the host can
    /// dial or disconnect.
    func requireHost(for action: String) throws {
        guard runtime.hostAttached else { throw PeerManagerError.noHost(action: action) }
    }

    /// The shard named by a request: a pubsub topic, or a shard in a cluster (the request's, or the
    /// one peerd is configured for or adopted from the host). `.none` selects on no shard;
    /// `.invalid` selects nothing (an invalid topic, as in nwaku).
    enum ShardFilter {
        case none
        case shard(RelayShard)
        case invalid
    }

    func shardFilter(pubsubTopic: String, shard: UInt32?, clusterID: UInt32?, engine: PeerEngine) throws -> ShardFilter
    {
        if !pubsubTopic.isEmpty {
            return RelayShard(topic: pubsubTopic).map { .shard($0) } ?? .invalid
        }
        guard let shard else { return .none }
        let shardID = try WireInput.uint16(shard, field: "shard")
        guard shardID <= RelayShard.maxShardIndex else {
            throw PeerManagerError.badRequest("shard \(shard) is out of range (max \(RelayShard.maxShardIndex))")
        }
        guard
            let cluster = try clusterID.map({ try WireInput.uint16($0, field: "cluster_id") })
                ?? engine.configuration.clusterID
        else {
            throw PeerManagerError.badRequest("shard \(shard) needs a cluster_id: peerd has no cluster configured")
        }
        return .shard(RelayShard(clusterID: cluster, shardID: shardID))
    }
}
