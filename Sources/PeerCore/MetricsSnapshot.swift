import PeerIdentity

/// Everything a metrics scrape needs from the engine, as one value (nwaku's gauges and peerd's).
///
/// Taken under the engine's lock (``PeerEngine/metricsSnapshot(now:)``), written to the metric
/// registry after it is released: the registry's own locks are never taken inside the engine's,
/// and a scrape holds the engine only for the counting. Label bounding (agent caps, clipping,
/// nwaku's label texts) is the exporter's job; these are the plain counts.
public struct MetricsSnapshot: Sendable, Equatable {
    /// Peers and streams of one protocol, by direction.
    public struct DirectionCounts: Sendable, Hashable {
        public var inbound: Int
        public var outbound: Int

        public init(inbound: Int = 0, outbound: Int = 0) {
            self.inbound = inbound
            self.outbound = outbound
        }
    }

    /// The engine's counts (store, relay connections, targets, backoff, dials in flight).
    public var statistics: EngineStatistics
    /// For each `/vac/waku*` protocol a stored peer lists or a connected peer has a stream of:
    /// the connected peers with at least one open stream of it, by the direction of their first
    /// connection (a peer of unknown direction is not counted). Protocols nobody streams are
    /// present with zeros.
    public var peersPerProtocol: [String: DirectionCounts]
    /// For the same protocols: open streams, by stream direction.
    public var streamsPerProtocol: [String: DirectionCounts]
    /// Connected peers on each configured shard (by ENR or metadata); empty without a cluster.
    public var peersPerShard: [UInt16: Int]
    /// Connected peers by the agent they sent in identify (unbounded: the exporter caps it).
    public var peersPerAgent: [String: Int]
    /// The peers holding a service slot, by protocol.
    public var servicePeers: [String: [PeerID]]

    public init(
        statistics: EngineStatistics, peersPerProtocol: [String: DirectionCounts] = [:],
        streamsPerProtocol: [String: DirectionCounts] = [:], peersPerShard: [UInt16: Int] = [:],
        peersPerAgent: [String: Int] = [:], servicePeers: [String: [PeerID]] = [:]
    ) {
        self.statistics = statistics
        self.peersPerProtocol = peersPerProtocol
        self.streamsPerProtocol = streamsPerProtocol
        self.peersPerShard = peersPerShard
        self.peersPerAgent = peersPerAgent
        self.servicePeers = servicePeers
    }
}

extension PeerEngine {
    /// The counts behind every gauge. Costs one pass over the store and one over the connected
    /// peers; meant for a scrape, not per request.
    public func metricsSnapshot(now: EngineTime) -> MetricsSnapshot {
        let connected = store.connectedPeers().compactMap { store.record($0) }
        var peersPerProtocol: [String: MetricsSnapshot.DirectionCounts] = [:]
        var streamsPerProtocol: [String: MetricsSnapshot.DirectionCounts] = [:]
        for protocolID in store.wakuProtocols() {
            peersPerProtocol[protocolID] = .init()
            streamsPerProtocol[protocolID] = .init()
        }
        var peersPerAgent: [String: Int] = [:]
        for record in connected {
            for (protocolID, counts) in streamCounts(record.id) where protocolID.hasPrefix(WakuCodec.wakuPrefix) {
                // A streamed protocol is present even when its only peer's direction is unknown.
                var peers = peersPerProtocol[protocolID] ?? .init()
                switch record.direction {
                case .inbound: peers.inbound += 1
                case .outbound: peers.outbound += 1
                case .unknown: break
                }
                peersPerProtocol[protocolID] = peers
                var streams = streamsPerProtocol[protocolID] ?? .init()
                streams.inbound += counts.inbound
                streams.outbound += counts.outbound
                streamsPerProtocol[protocolID] = streams
            }
            if let agent = record.agent { peersPerAgent[agent, default: 0] += 1 }
        }

        var peersPerShard: [UInt16: Int] = [:]
        if let cluster = configuration.clusterID {
            for shard in configuration.shards {
                let topic = RelayShard(clusterID: cluster, shardID: shard)
                peersPerShard[shard] = connected.count { store.hasShard($0.id, topic) }
            }
        }

        var servicePeers: [String: [PeerID]] = [:]
        for protocolID in serviceSlots.protocols {
            servicePeers[protocolID] = serviceSlots.peers(for: protocolID)
        }

        return MetricsSnapshot(
            statistics: statistics(now: now), peersPerProtocol: peersPerProtocol,
            streamsPerProtocol: streamsPerProtocol, peersPerShard: peersPerShard, peersPerAgent: peersPerAgent,
            servicePeers: servicePeers)
    }
}
