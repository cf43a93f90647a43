import PeerIdentity

extension RelayShard {
    /// The key of this shard in the engine's per-shard index.
    var indexKey: UInt32 { UInt32(clusterID) << 16 | UInt32(shardID) }
}
