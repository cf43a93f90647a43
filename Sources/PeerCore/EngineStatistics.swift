import PeerIdentity

/// Counts for logs and gauges (nwaku's periodic "Relay peer connections" line and metrics).
public struct EngineStatistics: Sendable, Hashable {
    public var storeSize: Int
    public var capacity: Int
    public var connectedPeers: Int
    public var maxConnections: Int
    public var inboundRelay: Int
    public var outboundRelay: Int
    public var targets: RelayTargets
    /// Distinct peers holding a service slot.
    public var servicePeers: Int
    /// Peers not connected.
    public var notConnected: Int
    /// Not-connected peers that policy may dial now (nwaku `outsideBackoffPeers`).
    public var outsideBackoff: Int
    public var online: Bool
    public var protectedPeers: Int
    public var dialsInFlight: Int
    /// Connected peers per protocol they listed (nwaku `waku_connected_peers`, by protocol).
    public var connectedPerProtocol: [String: (inbound: Int, outbound: Int)]
    /// The host's connection status (nwaku `calculateConnectionState`).
    public var connectionStatus: ConnectionStatus = .disconnected

    public static func == (lhs: EngineStatistics, rhs: EngineStatistics) -> Bool {
        lhs.storeSize == rhs.storeSize && lhs.capacity == rhs.capacity && lhs.connectedPeers == rhs.connectedPeers
            && lhs.inboundRelay == rhs.inboundRelay && lhs.outboundRelay == rhs.outboundRelay
            && lhs.targets == rhs.targets && lhs.servicePeers == rhs.servicePeers
            && lhs.notConnected == rhs.notConnected
            && lhs.outsideBackoff == rhs.outsideBackoff && lhs.online == rhs.online
            && lhs.protectedPeers == rhs.protectedPeers && lhs.dialsInFlight == rhs.dialsInFlight
            && lhs.maxConnections == rhs.maxConnections && lhs.connectionStatus == rhs.connectionStatus
            && lhs.connectedPerProtocol.mapValues { [$0.inbound, $0.outbound] }
                == rhs.connectedPerProtocol.mapValues { [$0.inbound, $0.outbound] }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storeSize)
        hasher.combine(connectedPeers)
        hasher.combine(inboundRelay)
        hasher.combine(outboundRelay)
    }

    /// The message of nwaku's periodic status line, which operators grep for.
    public static let statusMessage = "Relay peer connections"

    /// The fields of nwaku's status line, with nwaku's names and value forms, in nwaku's order
    /// (`info "Relay peer connections", inRelayConns = "i/target", outRelayConns = "o/target",
    /// totalConnections = "c/max", notConnectedPeers = n, outsideBackoffPeers = n`).
    public var statusFields: [(name: String, value: String)] {
        [
            ("inRelayConns", "\(inboundRelay)/\(targets.inbound)"),
            ("outRelayConns", "\(outboundRelay)/\(targets.outbound)"),
            ("totalConnections", "\(connectedPeers)/\(maxConnections)"),
            ("notConnectedPeers", "\(notConnected)"),
            ("outsideBackoffPeers", "\(outsideBackoff)"),
        ]
    }

    /// The status fields as one logfmt-like text: `inRelayConns=i/target outRelayConns=o/target ...`.
    public var summary: String {
        statusFields.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }
}

extension PeerEngine {
    /// Current counts. Costs one pass over the store (for the backoff count); meant for the
    /// periodic metrics step, not per request.
    public func statistics(now: EngineTime) -> EngineStatistics {
        var outsideBackoff = 0
        for entry in store.entries where entry.live && entry.connectedness != .connected {
            if backoff.allowsDial(failures: Int(entry.failedAttempts), lastFailure: entry.lastFailedAttempt, now: now) {
                outsideBackoff += 1
            }
        }
        var perProtocol: [String: (inbound: Int, outbound: Int)] = [:]
        for handle in store.connectedSet.elements {
            let entry = store.entry(handle)
            for proto in entry.protocols {
                let name = store.protocolNames[proto]
                var counts = perProtocol[name] ?? (0, 0)
                if entry.direction == .inbound {
                    counts.inbound += 1
                } else if entry.direction == .outbound {
                    counts.outbound += 1
                }
                perProtocol[name] = counts
            }
        }
        return EngineStatistics(
            storeSize: store.count, capacity: store.capacity, connectedPeers: connections.peers.count,
            maxConnections: configuration.maxConnections, inboundRelay: effectiveInboundRelay.count,
            outboundRelay: effectiveOutboundRelayCount, targets: targets, servicePeers: serviceSlots.peerCount,
            notConnected: store.count - store.connectedSet.count, outsideBackoff: outsideBackoff, online: isOnline,
            protectedPeers: protection.protectedCount, dialsInFlight: dialing.count, connectedPerProtocol: perProtocol,
            connectionStatus: connectionStatus)
    }

    /// Open streams per protocol on a peer's connections, as the host reported them.
    public func streamCounts(_ peer: PeerID) -> [String: (inbound: Int, outbound: Int)] {
        connections.peers[peer]?.streams ?? [:]
    }
}
