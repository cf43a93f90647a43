/// The relay shards a peer serves in one cluster (RFC 51), from the ENR `rs`/`rsv` field or the
/// metadata protocol.
public struct RelayShards: Hashable, Sendable {
    public var clusterID: UInt16
    /// Sorted, without duplicates.
    public var shardIDs: [UInt16]

    public init(clusterID: UInt16, shardIDs: [UInt16]) {
        self.clusterID = clusterID
        // Stored shards (the peer store, 100k rows at start) come sorted already: one linear
        // check instead of a Set and a sort per peer.
        if zip(shardIDs, shardIDs.dropFirst()).allSatisfy({ $0 < $1 }) {
            self.shardIDs = shardIDs
        } else {
            self.shardIDs = Array(Set(shardIDs)).sorted()
        }
    }

    public func contains(clusterID: UInt16, shardID: UInt16) -> Bool {
        self.clusterID == clusterID && shardIDs.contains(shardID)
    }
}
