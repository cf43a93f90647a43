import PeerIdentity

/// One relay shard, `/waku/2/rs/<cluster>/<shard>` as a pubsub topic (RFC 51 static sharding).
public struct RelayShardTopic: Hashable, Sendable, CustomStringConvertible {
    /// The largest shard index nwaku accepts (`MaxShardIndex`).
    public static let maxShardID: UInt16 = 1023

    public var clusterID: UInt16
    public var shardID: UInt16

    public init(clusterID: UInt16, shardID: UInt16) {
        self.clusterID = clusterID
        self.shardID = shardID
    }

    /// Parses `/waku/2/rs/<cluster>/<shard>`; returns `nil` for anything else, including named
    /// topics, non-decimal numbers, a cluster beyond `UInt16` and a shard above 1023.
    public init?(pubsubTopic: String) {
        let prefix = "/waku/2/rs/"
        guard pubsubTopic.hasPrefix(prefix) else { return nil }
        let rest = pubsubTopic.utf8.dropFirst(prefix.utf8.count)
        let parts = rest.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2, let cluster = Self.decimal(parts[0]), let shard = Self.decimal(parts[1]),
            cluster <= Int(UInt16.max), shard <= Int(Self.maxShardID)
        else { return nil }
        self.init(clusterID: UInt16(cluster), shardID: UInt16(shard))
    }

    /// The pubsub topic text.
    public var description: String { "/waku/2/rs/\(clusterID)/\(shardID)" }

    /// The key of this shard in the engine's per-shard index.
    var indexKey: UInt32 { UInt32(clusterID) << 16 | UInt32(shardID) }

    private static func decimal(_ bytes: Substring.UTF8View.SubSequence) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 6 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
