import PeerWire

/// The human views of peerd's answers other than peers (those are in ``PeerTable``): what an
/// operator reads in a terminal. `--json` prints ``WireJSON`` instead.
enum HumanViews {
    static func info(_ info: PeerManagerV1.GetInfoResponse, socket: String) -> KeyValueList {
        var list = KeyValueList()
        list.append("version", info.version)
        list.append("protocol", info.protocol)
        list.append("uptime", HumanText.duration(milliseconds: Int64(clamping: info.uptimeSeconds) &* 1000))
        list.append("services", info.services.joined(separator: " "))
        list.append("max frame size", "\(info.maxFrameSize) bytes")
        list.append("max concurrent streams", "\(info.maxConcurrentStreams)")
        list.append("socket", socket)
        return list
    }

    /// The statistics against their targets, as nwaku's status line groups them.
    static func statistics(_ stats: PeerManagerV1.Statistics) -> KeyValueList {
        var list = KeyValueList()
        list.append("connection status", WireJSON.name(status: stats.connectionStatus))
        list.append("peer store", "\(stats.storeSize)/\(stats.capacity)")
        list.append("connected", "\(stats.connected)/\(stats.maxConnections)")
        list.append("relay inbound", "\(stats.inboundRelay)/\(stats.targetInbound)")
        list.append("relay outbound", "\(stats.outboundRelay)/\(stats.targetOutbound)")
        list.append("relay target", "\(stats.targetRelay)")
        list.append("service peers", "\(stats.servicePeers) (target \(stats.targetService))")
        list.append("not connected", "\(stats.notConnected)")
        list.append("outside backoff", "\(stats.outsideBackoff)")
        list.append("protected peers", "\(stats.protectedPeers)")
        list.append("dials in flight", "\(stats.dialsInFlight)")
        list.append("online", HumanText.yesNo(stats.online))
        list.append("host attached", HumanText.yesNo(stats.hostAttached))
        return list
    }

    static func configuration(_ config: PeerManagerV1.Configuration) -> KeyValueList {
        var list = KeyValueList()
        list.append("max connections", "\(config.maxConnections)")
        list.append("relay:service ratio", config.relayServiceRatio)
        list.append("peer store capacity", "\(config.peerStoreCapacity)")
        list.append("ip colocation limit", "\(config.ipColocationLimit)")
        list.append("cluster", config.clusterID.map { "\($0)" } ?? "-")
        list.append("shards", config.shards.isEmpty ? "-" : config.shards.map(String.init).joined(separator: ","))
        list.append("relay shard manager", HumanText.yesNo(config.relayShardManager))
        list.append("dial timeout", HumanText.duration(milliseconds: Int64(clamping: config.dialTimeoutMs)))
        list.append(
            "backoff",
            "\(HumanText.duration(milliseconds: Int64(clamping: config.initialBackoffMs))) × \(config.backoffFactor)"
                + "^(failures-1), never after \(config.maxFailedAttempts) failures")
        list.append("prune interval", HumanText.duration(milliseconds: Int64(clamping: config.pruneIntervalMs)))
        list.append("socket", config.socketPath)
        list.append("metrics", config.metricsAddress.isEmpty ? "off" : config.metricsAddress)
        return list
    }

    /// One row per connected peer; its streams as `protocol in/out`.
    static func connectedPeers(_ peers: [PeerManagerV1.ConnectedPeer], wide: Bool) -> TextTable {
        var table = TextTable("PEER", "DIRECTION", "STREAMS (IN/OUT)")
        for peer in peers {
            let streams = peer.streams.map {
                "\(HumanText.protocols([$0.protocol])) \($0.inbound)/\($0.outbound)"
            }
            table.append([
                HumanText.peerID(peer.peerID, wide: wide), WireJSON.name(direction: peer.direction),
                streams.isEmpty ? "-" : streams.joined(separator: ", "),
            ])
        }
        return table
    }

    static func connectOutcomes(_ outcomes: [PeerManagerV1.ConnectOutcome], wide: Bool) -> TextTable {
        var table = TextTable("PEER", "RESULT", "ERROR")
        for outcome in outcomes {
            let id = outcome.peerID.isEmpty ? outcome.peer : outcome.peerID
            table.append([
                HumanText.peerID(id, wide: wide), outcome.connected ? "connected" : "failed",
                outcome.error.isEmpty ? "-" : outcome.error,
            ])
        }
        return table
    }

    /// `allowed`, `not before <time> (in 2m05s)` or `never (too many failed dials)`.
    static func canBeConnected(_ response: PeerManagerV1.CanBeConnectedResponse, nowMs: Int64) -> String {
        if response.allowed { return "allowed" }
        guard let earliest = response.earliestMs else { return "never (too many failed dials)" }
        let wait = earliest > nowMs ? " (in \(HumanText.duration(milliseconds: earliest - nowMs)))" : ""
        return "not before \(HumanText.timestamp(milliseconds: earliest))\(wait)"
    }

    /// One line per Watch event: time, kind, then the decision's reason, detail and peers, the
    /// peer event's kind and peer, or the new connection status and the one before.
    static func watchLine(_ event: PeerManagerV1.WatchEvent, wide: Bool) -> String {
        // `if case`, not a switch: an event kind added to the contract later prints as unknown
        // here instead of breaking the build.
        if case .decision(let decision)? = event.event {
            var line = "\(HumanText.timestamp(milliseconds: decision.timeMs))  decision  \(decision.reason)"
            if !decision.detail.isEmpty { line += "  \(decision.detail)" }
            if !decision.peerIDs.isEmpty {
                line += "  [" + decision.peerIDs.map { HumanText.peerID($0, wide: wide) }.joined(separator: " ") + "]"
            }
            return line
        }
        if case .peerEvent(let event)? = event.event {
            return "\(HumanText.timestamp(milliseconds: event.timeMs))  peer      \(WireJSON.name(kind: event.kind))  "
                + HumanText.peerID(event.peerID, wide: wide)
        }
        if case .connectionStatus(let event)? = event.event {
            return
                "\(HumanText.timestamp(milliseconds: event.timeMs))  status    \(WireJSON.name(status: event.status))"
                + " (was \(WireJSON.name(status: event.previous)))"
        }
        return "(an event of a kind this peerctl does not know)"
    }
}
