/// One relay shard, the unit of static sharding (RFC 51), with its pubsub topic
/// `/waku/2/rs/<cluster>/<shard>`.
public struct RelayShard: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Shard indices above this are refused (nwaku `MaxShardIndex`).
    public static let maxShardIndex: UInt16 = 1023

    public var clusterID: UInt16
    public var shardID: UInt16

    public init(clusterID: UInt16, shardID: UInt16) {
        self.clusterID = clusterID
        self.shardID = shardID
    }

    /// Parses a static-sharding pubsub topic, `/waku/2/rs/<cluster>/<shard>`.
    ///
    /// Numbers are plain decimal (no sign, no leading zero), the cluster within u16 and the shard
    /// at most ``maxShardIndex``, so a shard has exactly one topic; named topics, gibberish and
    /// trailing parts give nil.
    public init?(topic: String) {
        let prefix = "/waku/2/rs/"
        guard topic.hasPrefix(prefix) else { return nil }
        let parts = topic.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let cluster = Port.parse(parts[0]), let shard = Port.parse(parts[1]),
            shard <= Self.maxShardIndex
        else {
            return nil
        }
        self.init(clusterID: cluster, shardID: shard)
    }

    /// The pubsub topic, `/waku/2/rs/<cluster>/<shard>`.
    public var topic: String { "/waku/2/rs/\(clusterID)/\(shardID)" }

    public var description: String { topic }

    public static func < (lhs: RelayShard, rhs: RelayShard) -> Bool {
        (lhs.clusterID, lhs.shardID) < (rhs.clusterID, rhs.shardID)
    }
}
