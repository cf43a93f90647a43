import PeerWire

/// The human views of peers: a table row per peer (`peers list`, `select`) and every field of
/// one peer (`peers get`, `peers add`).
enum PeerTable {
    /// The context a row needs besides the peer: the backoff settings and the clock for the
    /// next retry, and whether ids are printed whole.
    struct Context: Sendable {
        var configuration: PeerManagerV1.Configuration
        var nowMs: Int64
        var wide = false
    }

    static func table(_ peers: [PeerManagerV1.Peer], _ context: Context) -> TextTable {
        var table = TextTable(
            "PEER", "ORIGIN", "CONNECTEDNESS", "DIRECTION", "PROTOCOLS", "SHARDS", "FAILURES", "NEXT RETRY")
        for peer in peers {
            table.append([
                HumanText.peerID(peer.peerID, wide: context.wide),
                WireJSON.name(origin: peer.origin),
                WireJSON.name(connectedness: peer.connectedness),
                WireJSON.name(direction: peer.direction),
                HumanText.protocols(peer.protocols),
                HumanText.shards(peer),
                "\(peer.failedDials)",
                HumanText.nextRetry(
                    failedDials: peer.failedDials, lastFailedDialMs: peer.lastFailedDialMs,
                    configuration: context.configuration, nowMs: context.nowMs),
            ])
        }
        return table
    }

    /// Every field of one peer, ids whole, lists one per line after the first.
    static func details(_ peer: PeerManagerV1.Peer, _ context: Context) -> KeyValueList {
        var list = KeyValueList()
        list.append("peer id", peer.peerID)
        list.append("origin", WireJSON.name(origin: peer.origin))
        list.append("connectedness", WireJSON.name(connectedness: peer.connectedness))
        list.append("direction", WireJSON.name(direction: peer.direction))
        list.append("addresses", peer.addresses.isEmpty ? "-" : peer.addresses.joined(separator: " "))
        list.append("protocols", peer.protocols.isEmpty ? "-" : peer.protocols.joined(separator: " "))
        list.append("enr shards", peer.enrShards.map(HumanText.shards) ?? "-")
        list.append("metadata shards", peer.metadataShards.map(HumanText.shards) ?? "-")
        list.append("capabilities", capabilities(peer.capabilities))
        list.append("failed dials", "\(peer.failedDials)")
        if let time = peer.lastFailedDialMs { list.append("last failed dial", HumanText.timestamp(milliseconds: time)) }
        list.append(
            "next retry",
            HumanText.nextRetry(
                failedDials: peer.failedDials, lastFailedDialMs: peer.lastFailedDialMs,
                configuration: context.configuration, nowMs: context.nowMs))
        if let time = peer.disconnectTimeMs { list.append("disconnected at", HumanText.timestamp(milliseconds: time)) }
        list.append("protection tags", peer.protectionTags.isEmpty ? "-" : peer.protectionTags.joined(separator: " "))
        if !peer.agent.isEmpty { list.append("agent", peer.agent) }
        if !peer.protocolVersion.isEmpty { list.append("protocol version", peer.protocolVersion) }
        if !peer.enr.isEmpty { list.append("enr", peer.enr) }
        return list
    }

    /// The ENR waku2 bits by name (`relay,store`), `-` for none; unknown bits as hex.
    static func capabilities(_ bits: UInt32) -> String {
        let names = ["relay", "store", "filter", "lightpush", "sync", "mix"]
        var parts = names.indices.filter { bits & (1 << $0) != 0 }.map { names[$0] }
        let unknown = bits & ~UInt32((1 << names.count) - 1)
        if unknown != 0 { parts.append("0x" + String(unknown, radix: 16)) }
        return parts.isEmpty ? "-" : parts.joined(separator: ",")
    }
}
