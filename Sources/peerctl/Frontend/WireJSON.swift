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
            "dials_in_flight": stats.dialsInFlight, "connection_status": name(status: stats.connectionStatus),
        ]
    }

    static func info(_ info: PeerManagerV1.GetInfoResponse, socket: String) -> [String: Any] {
        [
            "version": info.version, "protocol": info.protocol, "uptime_seconds": info.uptimeSeconds,
            "services": info.services, "max_frame_size": info.maxFrameSize,
            "max_concurrent_streams": info.maxConcurrentStreams, "socket": socket,
        ]
    }

    static func configuration(_ config: PeerManagerV1.Configuration) -> [String: Any] {
        var object: [String: Any] = [
            "max_connections": config.maxConnections, "relay_service_ratio": config.relayServiceRatio,
            "peer_store_capacity": config.peerStoreCapacity, "ip_colocation_limit": config.ipColocationLimit,
            "shards": config.shards, "relay_shard_manager": config.relayShardManager,
            "dial_timeout_ms": config.dialTimeoutMs, "initial_backoff_ms": config.initialBackoffMs,
            "backoff_factor": config.backoffFactor, "max_failed_attempts": config.maxFailedAttempts,
            "prune_interval_ms": config.pruneIntervalMs, "socket_path": config.socketPath,
            "metrics_address": config.metricsAddress,
        ]
        if let cluster = config.clusterID { object["cluster_id"] = cluster }
        return object
    }

    static func connectedPeer(_ peer: PeerManagerV1.ConnectedPeer) -> [String: Any] {
        [
            "peer_id": peer.peerID, "direction": name(direction: peer.direction),
            "streams": peer.streams.map {
                ["protocol": $0.protocol, "inbound": $0.inbound, "outbound": $0.outbound] as [String: Any]
            },
        ]
    }

    static func connectOutcome(_ outcome: PeerManagerV1.ConnectOutcome) -> [String: Any] {
        var object: [String: Any] = ["peer": outcome.peer, "peer_id": outcome.peerID, "connected": outcome.connected]
        if !outcome.error.isEmpty { object["error"] = outcome.error }
        return object
    }

    static func canBeConnected(_ response: PeerManagerV1.CanBeConnectedResponse, peerID: String) -> [String: Any] {
        var object: [String: Any] = ["peer_id": peerID, "allowed": response.allowed]
        if let earliest = response.earliestMs { object["earliest_ms"] = earliest }
        return object
    }

    static func watchEvent(_ event: PeerManagerV1.WatchEvent) -> [String: Any] {
        // `if case`, not a switch: an event kind added to the contract later prints as unknown
        // here instead of breaking the build.
        if case .decision(let decision)? = event.event {
            var object: [String: Any] = [
                "type": "decision", "time_ms": decision.timeMs, "reason": decision.reason, "detail": decision.detail,
            ]
            if !decision.peerIDs.isEmpty { object["peer_ids"] = decision.peerIDs }
            if let value = decision.current { object["current"] = value }
            if let value = decision.target { object["target"] = value }
            if let value = decision.chosen { object["chosen"] = value }
            if let value = decision.available { object["available"] = value }
            return object
        }
        if case .peerEvent(let event)? = event.event {
            return [
                "type": "peer_event", "time_ms": event.timeMs, "peer_id": event.peerID, "kind": name(kind: event.kind),
            ]
        }
        if case .connectionStatus(let event)? = event.event {
            return [
                "type": "connection_status", "time_ms": event.timeMs, "status": name(status: event.status),
                "previous": name(status: event.previous),
            ]
        }
        return ["type": "unknown"]
    }

    static let connectednessNames = ["not_connected", "cannot_connect", "can_connect", "connected"]
    static let directionNames = ["unknown", "inbound", "outbound"]
    static let originNames = ["unknown", "discv5", "static", "peer_exchange", "dns", "kademlia", "cache"]

    static func name(connectedness: PeerManagerV1.Connectedness) -> String {
        name(connectednessNames, connectedness.rawValue)
    }
    static func name(direction: PeerManagerV1.Direction) -> String { name(directionNames, direction.rawValue) }
    static func name(origin: PeerManagerV1.Origin) -> String { name(originNames, origin.rawValue) }
    static let connectionStatusNames = ["unspecified", "disconnected", "partially_connected", "connected"]
    static func name(status: PeerManagerV1.ConnectionStatus) -> String {
        name(connectionStatusNames, status.rawValue)
    }
    static func name(kind: PeerManagerV1.PeerEvent.Kind) -> String {
        name(["unspecified", "added", "removed", "connected", "disconnected"], kind.rawValue)
    }

    private static func name(_ names: [String], _ value: Int32) -> String {
        names.indices.contains(Int(value)) ? names[Int(value)] : "\(value)"
    }
}
