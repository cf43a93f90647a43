extension ENR {
    /// The relay shards the record announces: `rs` if valid, else `rsv` (nwaku `relaySharding`).
    public var relayShards: RelayShards? { rs ?? rsv }

    /// The protocol ids implied by the `waku2` bits (empty without the field).
    public var protocols: [String] { waku2?.codecs ?? [] }

    /// Whether the record announces `shardID` in `clusterID` (false above shard 1023 or without
    /// sharding info), as nwaku `containsShard`.
    public func containsShard(clusterID: UInt16, shardID: UInt16) -> Bool {
        guard shardID <= RelayShard.maxShardIndex, let shards = relayShards else { return false }
        return shards.contains(clusterID: clusterID, shardID: shardID)
    }

    /// Whether the record announces `shard`.
    public func containsShard(_ shard: RelayShard) -> Bool {
        containsShard(clusterID: shard.clusterID, shardID: shard.shardID)
    }

    /// Whether the record announces the shard of a `/waku/2/rs/<cluster>/<shard>` topic; false for
    /// a topic that does not parse.
    public func containsShard(topic: String) -> Bool {
        guard let shard = RelayShard(topic: topic) else { return false }
        return containsShard(shard)
    }

    /// True only when the record has sharding info for a cluster other than `clusterID`.
    public func isClusterMismatched(_ clusterID: UInt16) -> Bool {
        guard let shards = relayShards else { return false }
        return shards.clusterID != clusterID
    }

    /// The addresses to dial this peer at, each ending with `/p2p/<peerID>`, in this order:
    /// `ip` + `tcp`, `ip6` + `tcp6` (or `tcp` when `tcp6` is absent, as EIP-778 says), then each
    /// `multiaddrs` entry; duplicates removed.
    ///
    /// UDP-only records give no address: discv5's port is not a libp2p transport, and peerd's
    /// peers are dialled over TCP (nwaku's `toRemotePeerInfo` would fall back to ip:udp).
    public var dialAddresses: [Multiaddr] {
        var out: [Multiaddr] = []
        func add(_ address: Multiaddr) {
            let full = address.appending(.p2p(peerID))
            if !out.contains(full) { out.append(full) }
        }
        if let ip, let tcp {
            add(Multiaddr(components: [.ip4(ip), .tcp(tcp)]))
        }
        if let ip6, let port = tcp6 ?? tcp {
            add(Multiaddr(components: [.ip6(ip6), .tcp(port)]))
        }
        for address in multiaddrs { add(address) }
        return out
    }
}
