import PeerIdentity

/// Open connections and streams as the host reports them, keyed by peer id rather than by store
/// handle: a peer deleted by policy keeps its connections until the host closes them, and its
/// Left must not re-create it (nwaku bug: deleted peers came back with no addresses).
struct ConnectionTable: Sendable {
    struct PeerConnections: Sendable {
        var ids: [ConnectionID] = []
        /// Direction of the first connection (nwaku: the Joined event's initiator flag).
        var direction: PeerDirection
        /// IP of the first connection's observed address (colocation key).
        var ip: String?
        /// Whether the colocation limit counted this peer at `ip`.
        var colocated = false
        var joinedAt: EngineTime
        /// Open streams per protocol and direction.
        var streams: [String: (inbound: Int, outbound: Int)] = [:]
    }

    private(set) var owners: [ConnectionID: PeerID] = [:]
    private(set) var peers: [PeerID: PeerConnections] = [:]

    /// Records a connection; returns `true` when it is the peer's first (Joined).
    mutating func open(_ id: ConnectionID, peer: PeerID, direction: PeerDirection, ip: String?, now: EngineTime) -> Bool
    {
        if owners[id] != nil { return false }
        owners[id] = peer
        if peers[peer] != nil {
            peers[peer]!.ids.append(id)
            return false
        }
        peers[peer] = PeerConnections(ids: [id], direction: direction, ip: ip, joinedAt: now)
        return true
    }

    /// Removes a connection; returns the peer's record when it was the last one (Left).
    mutating func close(_ id: ConnectionID) -> (peer: PeerID, last: PeerConnections?)? {
        guard let peer = owners.removeValue(forKey: id) else { return nil }
        peers[peer]?.ids.removeAll { $0 == id }
        if peers[peer]?.ids.isEmpty == true {
            return (peer, peers.removeValue(forKey: peer))
        }
        return (peer, nil)
    }

    func isConnected(_ peer: PeerID) -> Bool { peers[peer] != nil }

    /// Every open connection, in id order.
    var openConnectionIDs: [ConnectionID] { owners.keys.sorted { $0.rawValue < $1.rawValue } }

    mutating func markColocated(_ peer: PeerID) { peers[peer]?.colocated = true }

    /// The number of open connections.
    var count: Int { owners.count }

    /// Adjusts the stream count; returns the new total of open streams of that protocol.
    ///
    /// Protocol names come from the host: at most `maxProtocols` are counted per peer (relay,
    /// which policy needs, always is); streams of further protocols are not tracked (`nil`).
    mutating func stream(
        _ peer: PeerID, protocolID: String, direction: PeerDirection, delta: Int, maxProtocols: Int = .max
    ) -> Int? {
        guard let streams = peers[peer]?.streams else { return nil }
        if streams[protocolID] == nil, streams.count >= maxProtocols, protocolID != WakuCodec.relay { return nil }
        var counts = peers[peer]!.streams[protocolID] ?? (0, 0)
        if direction == .inbound {
            counts.inbound = max(0, counts.inbound + delta)
        } else {
            counts.outbound = max(0, counts.outbound + delta)
        }
        peers[peer]!.streams[protocolID] = counts.inbound + counts.outbound == 0 ? nil : counts
        return counts.inbound + counts.outbound
    }
}
