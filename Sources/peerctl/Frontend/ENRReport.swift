import PeerIdentity

/// The JSON shape of `peerctl enr decode`, with field names as in Tests/Vectors/enr_vectors.json.
enum ENRReport {
    static func json(_ enr: ENR) -> [String: Any] {
        var object: [String: Any] = [
            "valid": true,
            "enr": enr.description,
            "seq": enr.seq,
            "id": enr.id,
            "size_bytes": enr.rlp.count,
            "signature": Hex.encode(enr.signature),
            "node_id": Hex.encode(enr.nodeID),
            "peer_id": enr.peerID.description,
            "fields": fields(enr),
            "protocols": enr.protocols,
            "dial_multiaddrs": enr.dialAddresses.map(\.description),
        ]
        if let shards = enr.relayShards {
            object["shards"] = shardsJSON(shards).merging(["topics": shards.shards.map(\.topic)]) { $1 }
        }
        return object
    }

    private static func fields(_ enr: ENR) -> [String: Any] {
        var fields: [String: Any] = [:]
        for entry in enr.entries {
            switch entry.key {
            case "id": fields["id"] = enr.id
            case "secp256k1": fields["secp256k1"] = Hex.encode(enr.publicKey)
            case "ip": fields["ip"] = enr.ip?.description
            case "ip6": fields["ip6"] = enr.ip6?.description
            case "tcp": fields["tcp"] = enr.tcp
            case "udp": fields["udp"] = enr.udp
            case "tcp6": fields["tcp6"] = enr.tcp6
            case "udp6": fields["udp6"] = enr.udp6
            case "waku2" where enr.waku2 != nil:
                let caps = enr.waku2!
                fields["waku2"] = ["raw": Hex.encode([caps.rawValue]), "caps": caps.names]
            case "rs" where enr.rs != nil: fields["rs"] = shardsJSON(enr.rs!)
            case "rsv" where enr.rsv != nil: fields["rsv"] = shardsJSON(enr.rsv!)
            case "multiaddrs": fields["multiaddrs"] = enr.multiaddrs.map(\.description)
            default:
                // Unknown or malformed values: raw bytes as hex (a list value as its RLP).
                fields[entry.key] = Hex.encode(entry.value.bytes ?? RLP.encode(entry.value))
            }
        }
        return fields
    }

    private static func shardsJSON(_ shards: RelayShards) -> [String: Any] {
        ["cluster": shards.clusterID, "shards": shards.shardIDs]
    }
}
