import PeerWire

/// JSON views of peerd's messages for the client commands: snake_case keys as in the .proto,
/// enums by name, absent optionals left out.
enum WireJSON {
    static func peer(_ peer: PeerManagerV1.Peer) -> [String: Any] {
        var object: [String: Any] = [
            "peer_id": peer.peerID,
            "addresses": peer.addresses,
            "protocols": peer.protocols,
            "origin": name(origin: peer.origin),
            "connectedness": name(connectedness: peer.connectedness),
            "direction": name(direction: peer.direction),
            "failed_dials": peer.failedDials,
            "capabilities": peer.capabilities,
        ]
        if !peer.agent.isEmpty { object["agent"] = peer.agent }
        if !peer.protocolVersion.isEmpty { object["protocol_version"] = peer.protocolVersion }
        if !peer.enr.isEmpty { object["enr"] = peer.enr }
        if let time = peer.disconnectTimeMs { object["disconnect_time_ms"] = time }
        if let time = peer.lastFailedDialMs { object["last_failed_dial_ms"] = time }
        if let shards = peer.enrShards { object["enr_shards"] = self.shards(shards) }
        if let shards = peer.metadataShards { object["metadata_shards"] = self.shards(shards) }
        if !peer.protectionTags.isEmpty { object["protection_tags"] = peer.protectionTags }
        return object
    }

    static func shards(_ shards: PeerManagerV1.RelayShards) -> [String: Any] {
        ["cluster_id": shards.clusterID, "shard_ids": shards.shardIDs]
    }

    static func statistics(_ stats: PeerManagerV1.Statistics) -> [String: Any] {
        [
            "store_size": stats.storeSize, "capacity": stats.capacity, "connected": stats.connected,
            "max_connections": stats.maxConnections, "inbound_relay": stats.inboundRelay,
            "outbound_relay": stats.outboundRelay, "target_relay": stats.targetRelay,
            "target_service": stats.targetService, "target_inbound": stats.targetInbound,
            "target_outbound": stats.targetOutbound, "service_peers": stats.servicePeers,
            "not_connected": stats.notConnected, "outside_backoff": stats.outsideBackoff, "online": stats.online,
            "host_attached": stats.hostAttached, "protected_peers": stats.protectedPeers,
            "dials_in_flight": stats.dialsInFlight,
        ]
    }

    static func watchEvent(_ event: PeerManagerV1.WatchEvent) -> [String: Any] {
        switch event.event {
        case .decision(let decision)?:
            var object: [String: Any] = [
                "type": "decision", "time_ms": decision.timeMs, "reason": decision.reason, "detail": decision.detail,
            ]
            if !decision.peerIDs.isEmpty { object["peer_ids"] = decision.peerIDs }
            if let value = decision.current { object["current"] = value }
            if let value = decision.target { object["target"] = value }
            if let value = decision.chosen { object["chosen"] = value }
            if let value = decision.available { object["available"] = value }
            return object
        case .peerEvent(let event)?:
            let kinds = [1: "added", 2: "removed", 3: "connected", 4: "disconnected"]
            return [
                "type": "peer_event", "time_ms": event.timeMs, "peer_id": event.peerID,
                "kind": kinds[Int(event.kind.rawValue)] ?? "\(event.kind.rawValue)",
            ]
        case .connectionStatus(let event)?:
            let names = [1: "disconnected", 2: "partially_connected", 3: "connected"]
            return [
                "type": "connection_status", "time_ms": event.timeMs,
                "status": names[Int(event.status.rawValue)] ?? "\(event.status.rawValue)",
                "previous": names[Int(event.previous.rawValue)] ?? "\(event.previous.rawValue)",
            ]
        case nil:
            return ["type": "unknown"]
        }
    }

    static let connectednessNames = ["not_connected", "cannot_connect", "can_connect", "connected"]
    static let directionNames = ["unknown", "inbound", "outbound"]
    static let originNames = ["unknown", "discv5", "static", "peer_exchange", "dns", "kademlia", "cache"]

    static func name(connectedness: PeerManagerV1.Connectedness) -> String {
        name(connectednessNames, connectedness.rawValue)
    }
    static func name(direction: PeerManagerV1.Direction) -> String { name(directionNames, direction.rawValue) }
    static func name(origin: PeerManagerV1.Origin) -> String { name(originNames, origin.rawValue) }

    private static func name(_ names: [String], _ value: Int32) -> String {
        names.indices.contains(Int(value)) ? names[Int(value)] : "\(value)"
    }
}
