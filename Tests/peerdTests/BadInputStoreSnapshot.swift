import PeerWire

/// What the peer store holds: every peer record (ListPeers) and the store's counters
/// (GetStatistics, without what a host session or the clock moves).
struct StoreSnapshot: Equatable {
    var peers: [PeerManagerV1.Peer]
    var storeSize: UInt32
    var protectedPeers: UInt32
    var servicePeers: UInt32
    var connected: UInt32

    init(socketPath: String) throws {
        let admin = try PeerManagerClient(socketPath: socketPath)
        let list: PeerManagerV1.ListPeersResponse = try admin.call(
            PeerManagerV1.PeerManager.listPeers, PeerManagerV1.ListPeersRequest(pageSize: 1000))
        let statistics: PeerManagerV1.Statistics = try admin.call(
            PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
        peers = list.peers
        storeSize = statistics.storeSize
        protectedPeers = statistics.protectedPeers
        servicePeers = statistics.servicePeers
        connected = statistics.connected
    }

    /// The records and counters that differ, briefly (a record may hold 100,000 addresses).
    func difference(to other: StoreSnapshot) -> String {
        var lines: [String] = []
        func counter(_ name: String, _ path: KeyPath<StoreSnapshot, UInt32>) {
            if self[keyPath: path] != other[keyPath: path] {
                lines.append("\(name): \(self[keyPath: path]) -> \(other[keyPath: path])")
            }
        }
        counter("store_size", \.storeSize)
        counter("protected_peers", \.protectedPeers)
        counter("service_peers", \.servicePeers)
        counter("connected", \.connected)
        let old = Dictionary(peers.map { ($0.peerID, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(other.peers.map { ($0.peerID, $0) }, uniquingKeysWith: { first, _ in first })
        for id in Set(old.keys).union(new.keys).sorted() where old[id] != new[id] {
            lines.append("peer \(id.prefix(64)): \(Self.brief(old[id])) -> \(Self.brief(new[id]))")
        }
        return lines.joined(separator: "\n")
    }

    private static func brief(_ peer: PeerManagerV1.Peer?) -> String {
        guard let peer else { return "absent" }
        return
            "\(peer.addresses.count) addresses, \(peer.protocols.count) protocols, key \(peer.publicKey.count) bytes, "
            + "agent \(peer.agent.utf8.count) bytes, tags \(peer.protectionTags.map { $0.prefix(32) }), "
            + "connectedness \(peer.connectedness.rawValue), failed dials \(peer.failedDials)"
    }
}
