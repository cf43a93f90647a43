import PeerCore
import PeerIdentity
import PeerWire

// Engine values <-> wire messages. The enums share their numbers by design (nwaku's ordinals),
// so the conversions are exact both ways.

extension PeerManagerV1.Direction {
    init(_ direction: PeerDirection) { self.init(rawValue: Int32(direction.rawValue)) }
    var engineValue: PeerDirection { knownEngineValue ?? .unknown }
    /// nil for a value the engine does not know (a filter naming one is refused, not widened).
    var knownEngineValue: PeerDirection? { UInt8(exactly: rawValue).flatMap(PeerDirection.init(rawValue:)) }
}

extension PeerManagerV1.Connectedness {
    init(_ connectedness: Connectedness) { self.init(rawValue: Int32(connectedness.rawValue)) }
    var engineValue: Connectedness? { Connectedness(rawValue: UInt8(clamping: rawValue)) }
}

extension PeerManagerV1.Origin {
    init(_ origin: PeerOrigin) { self.init(rawValue: Int32(origin.rawValue)) }
    var engineValue: PeerOrigin? { PeerOrigin(rawValue: UInt8(clamping: rawValue)) }
}

extension PeerManagerV1.RelayShards {
    init(_ shards: RelayShards) {
        self.init(clusterID: UInt32(shards.clusterID), shardIDs: shards.shardIDs.map(UInt32.init))
    }
}

extension EngineTime {
    var unixMilliseconds: Int64 { nanosecondsSinceEpoch / 1_000_000 }
}

extension Duration {
    /// Whole milliseconds for the wire's `uint64 *_ms` fields: negative durations are 0, and
    /// durations past `UInt64.max` ms saturate (a `Duration` holds seconds up to `Int64.max`).
    var milliseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1000)
        if overflow { return .max }
        let (sum, overflow2) = whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000_000_000))
        return overflow2 ? .max : sum
    }
}

extension PeerManagerV1.Peer {
    /// The wire form of a stored peer, with its eviction-protection tags.
    init(_ stored: TaggedRecord, texts: PeerTextCache) {
        let record = stored.record
        let (id, addresses) = texts.texts(of: record)
        self.init(
            peerID: id,
            addresses: addresses,
            protocols: record.protocols,
            publicKey: record.publicKey ?? [],
            agent: record.agent ?? "",
            protocolVersion: record.protocolVersion ?? "",
            enr: record.enr?.text ?? "",
            origin: .init(record.origin),
            connectedness: .init(record.connectedness),
            direction: .init(record.direction),
            disconnectTimeMs: record.disconnectTime?.unixMilliseconds,
            failedDials: UInt32(clamping: record.failedAttempts),
            lastFailedDialMs: record.lastFailedAttempt?.unixMilliseconds,
            enrShards: record.enr?.relayShards.map(PeerManagerV1.RelayShards.init),
            metadataShards: record.metadataShards.map(PeerManagerV1.RelayShards.init),
            capabilities: UInt32(record.enr?.capabilities.rawValue ?? 0),
            protectionTags: stored.tags.keys.sorted())
    }
}

extension PeerManagerV1.Decision {
    init(_ decision: Decision, at time: EngineTime) {
        self.init(
            timeMs: time.unixMilliseconds,
            reason: decision.reason.rawValue,
            peerIDs: Self.peerIDs(of: decision),
            current: decision.current.map(Int64.init),
            target: decision.target.map(Int64.init),
            chosen: decision.chosen.map(Int64.init),
            available: decision.available.map(Int64.init),
            detail: decision.detail)
    }

    /// The decision's peer, then the peers it acted on, each once.
    private static func peerIDs(of decision: Decision) -> [String] {
        var seen = Set<PeerID>()
        return ([decision.peer].compactMap { $0 } + decision.peers).filter { seen.insert($0).inserted }.map(
            \.description)
    }
}

extension PeerManagerV1.HostCommand {
    init(_ issued: IssuedCommand) {
        let command: OneOf_Command
        switch issued.command {
        case .dial(let peer, let addresses, let timeout, let protocolID):
            command = .dial(
                .init(
                    peerID: peer.description, addresses: addresses.map(\.description), timeoutMs: timeout.milliseconds,
                    protocol: protocolID ?? ""))
        case .disconnect(let peer, let reason):
            command = .disconnect(.init(peerID: peer.description, reason: reason.rawValue))
        case .requestMetadata(let peer, let timeout):
            command = .requestMetadata(.init(peerID: peer.description, timeoutMs: timeout.milliseconds))
        case .requestDiscovery(let cluster, let shard, let wanted):
            command = .requestDiscovery(
                .init(clusterID: UInt32(cluster), shard: UInt32(shard), wanted: UInt32(clamping: wanted)))
        }
        self.init(commandID: issued.id.rawValue, command: command)
    }
}

extension PeerManagerV1.Statistics {
    init(_ statistics: EngineStatistics, hostAttached: Bool) {
        self.init(
            storeSize: UInt32(clamping: statistics.storeSize),
            capacity: UInt32(clamping: statistics.capacity),
            connected: UInt32(clamping: statistics.connectedPeers),
            maxConnections: UInt32(clamping: statistics.maxConnections),
            inboundRelay: UInt32(clamping: statistics.inboundRelay),
            outboundRelay: UInt32(clamping: statistics.outboundRelay),
            targetRelay: UInt32(clamping: statistics.targets.relay),
            targetService: UInt32(clamping: statistics.targets.service),
            targetInbound: UInt32(clamping: statistics.targets.inbound),
            targetOutbound: UInt32(clamping: statistics.targets.outbound),
            servicePeers: UInt32(clamping: statistics.servicePeers),
            notConnected: UInt32(clamping: statistics.notConnected),
            outsideBackoff: UInt32(clamping: statistics.outsideBackoff),
            online: statistics.online,
            hostAttached: hostAttached,
            protectedPeers: UInt32(clamping: statistics.protectedPeers),
            dialsInFlight: UInt32(clamping: statistics.dialsInFlight),
            connectionStatus: .init(statistics.connectionStatus))
    }
}

extension PeerManagerV1.ConnectionStatus {
    /// The wire value: the engine's status shifted by one, as the wire keeps 0 for "unspecified"
    /// (a peerd that predates the field).
    init(_ status: ConnectionStatus) { self.init(rawValue: Int32(status.rawValue) + 1) }
}

extension PeerInfo {
    /// The engine's view of a parsed peer (addresses without /p2p, ENR facts extracted).
    init(_ remote: RemotePeerInfo) {
        self.init(
            id: remote.peerID, addresses: remote.addrs, protocols: remote.protocols,
            enr: remote.enr.map {
                PeerENRInfo(
                    sequence: $0.seq, text: $0.description, relayShards: $0.relayShards,
                    capabilities: $0.waku2 ?? [])
            })
    }
}
