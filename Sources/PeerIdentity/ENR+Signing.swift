extension ENR {
    /// Builds and signs a record with `entries` plus `id` = `v4` and the `secp256k1` key of
    /// `secretKey`; keys are sorted for you.
    ///
    /// For tests, tools and simulators; peerd itself only reads records.
    ///
    /// - Throws: ``ENRError`` if the secret key is invalid, a key repeats, or the record would
    ///   break a rule of ``init(rlp:)`` (such as the size limit).
    public static func sign(seq: UInt64, entries: [Entry], secretKey: [UInt8]) throws(ENRError) -> ENR {
        guard let publicKey = Secp256k1.publicKey(secretKey: secretKey) else {
            throw ENRError(kind: .publicKey, part: "secret key", reason: "not a valid secp256k1 secret key")
        }
        var all = entries.filter { $0.key != "id" && $0.key != "secp256k1" }
        all.append(Entry(key: "id", bytes: Array("v4".utf8)))
        all.append(Entry(key: "secp256k1", bytes: publicKey))
        all.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }

        var content: [RLP.Item] = [.bytes(RLP.bigEndianMinimal(seq))]
        for entry in all { content += [.bytes(Array(entry.key.utf8)), entry.value] }
        guard let signature = Secp256k1.sign(digest: Keccak256.hash(RLP.encode(.list(content))), secretKey: secretKey)
        else {
            throw ENRError(kind: .signature, part: "signature", reason: "signing failed")
        }
        return try ENR(rlp: RLP.encode(.list([.bytes(signature)] + content)))
    }
}

extension ENR.Entry {
    public static func ip(_ address: IPv4Address) -> Self { Self(key: "ip", bytes: address.bytes) }
    public static func ip6(_ address: IPv6Address) -> Self { Self(key: "ip6", bytes: address.bytes) }
    public static func tcp(_ port: UInt16) -> Self { Self(key: "tcp", bytes: RLP.bigEndianMinimal(UInt64(port))) }
    public static func udp(_ port: UInt16) -> Self { Self(key: "udp", bytes: RLP.bigEndianMinimal(UInt64(port))) }
    public static func tcp6(_ port: UInt16) -> Self { Self(key: "tcp6", bytes: RLP.bigEndianMinimal(UInt64(port))) }
    public static func udp6(_ port: UInt16) -> Self { Self(key: "udp6", bytes: RLP.bigEndianMinimal(UInt64(port))) }
    public static func waku2(_ capabilities: WakuCapabilities) -> Self {
        Self(key: "waku2", bytes: [capabilities.rawValue])
    }

    /// `rs`, or `rsv` from 64 shards on (nwaku `withWakuRelaySharding`).
    public static func relayShards(_ shards: RelayShards) -> Self {
        if shards.shardIDs.count < 64, let rs = shards.rsBytes {
            Self(key: "rs", bytes: rs)
        } else {
            Self(key: "rsv", bytes: shards.rsvBytes)
        }
    }

    /// The `multiaddrs` field; `/p2p` suffixes are stripped, as nwaku does when building.
    public static func multiaddrs(_ addresses: [Multiaddr]) -> Self {
        var out: [UInt8] = []
        for address in addresses {
            let bytes = address.withoutPeerID.bytes
            out += [UInt8(bytes.count >> 8 & 0xff), UInt8(bytes.count & 0xff)] + bytes
        }
        return Self(key: "multiaddrs", bytes: out)
    }
}
