extension RelayShards {
    /// Decodes the ENR `rs` field: `cluster u16 BE | n u8 | n × shard u16 BE`.
    ///
    /// As nwaku, a malformed value, an empty list or a shard above 1023 gives nil (the record stays
    /// valid; it just announces no shards).
    public init?(rs bytes: [UInt8]) {
        guard bytes.count >= 3, bytes.count == 3 + 2 * Int(bytes[2]) else { return nil }
        let cluster = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        var shards: [UInt16] = []
        for index in 0..<Int(bytes[2]) {
            let shard = UInt16(bytes[3 + 2 * index]) << 8 | UInt16(bytes[4 + 2 * index])
            guard shard <= RelayShard.maxShardIndex else { return nil }
            shards.append(shard)
        }
        guard !shards.isEmpty else { return nil }
        self.init(clusterID: cluster, shardIDs: shards)
    }

    /// Decodes the ENR `rsv` field: `cluster u16 BE | 128-byte bit vector`, shard i being bit
    /// `i % 8` (from the least significant bit) of byte `2 + i / 8`, as nwaku and go-waku code it
    /// (their doc comments say otherwise; the behaviour notes §4 vector settles it).
    public init?(rsv bytes: [UInt8]) {
        guard bytes.count == 130 else { return nil }
        let cluster = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        var shards: [UInt16] = []
        for shard in 0...RelayShard.maxShardIndex where bytes[2 + Int(shard) / 8] & (1 << (shard % 8)) != 0 {
            shards.append(shard)
        }
        guard !shards.isEmpty else { return nil }
        self.init(clusterID: cluster, shardIDs: shards)
    }

    /// The `rs` encoding; nil with more than 255 shards (use ``rsvBytes``).
    public var rsBytes: [UInt8]? {
        guard shardIDs.count <= 255 else { return nil }
        var out: [UInt8] = [UInt8(clusterID >> 8), UInt8(clusterID & 0xff), UInt8(shardIDs.count)]
        for shard in shardIDs { out += [UInt8(shard >> 8), UInt8(shard & 0xff)] }
        return out
    }

    /// The `rsv` encoding; shards above 1023 cannot be represented and are left out.
    public var rsvBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 130)
        out[0] = UInt8(clusterID >> 8)
        out[1] = UInt8(clusterID & 0xff)
        for shard in shardIDs where shard <= RelayShard.maxShardIndex {
            out[2 + Int(shard) / 8] |= 1 << (shard % 8)
        }
        return out
    }

    /// Whether the shards include the shard of `topic` (`/waku/2/rs/<cluster>/<shard>`).
    public func contains(topic: String) -> Bool {
        guard let shard = RelayShard(topic: topic) else { return false }
        return contains(shard)
    }

    /// Whether the shards include `shard` (same cluster, shard listed).
    public func contains(_ shard: RelayShard) -> Bool {
        contains(clusterID: shard.clusterID, shardID: shard.shardID)
    }

    /// The shards as ``RelayShard`` values.
    public var shards: [RelayShard] { shardIDs.map { RelayShard(clusterID: clusterID, shardID: $0) } }
}
