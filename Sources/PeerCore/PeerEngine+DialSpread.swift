import PeerIdentity

/// The engine's side of ``DialSpread``: the groups and origins of its candidates, and the
/// groups its outbound peers already hold.
extension PeerEngine {
    /// The spread order of a sample of dial candidates (store handles), `count` of them.
    func spreadOrder(_ sample: [Int32], count: Int) -> DialSpread.Order {
        var candidates: [DialSpread.Candidate] = []
        candidates.reserveCapacity(sample.count)
        for handle in sample {
            // Read in place: copying the whole entry out retains every book of the peer.
            let slot = Int(handle)
            candidates.append(
                DialSpread.Candidate(
                    peer: handle, group: .of(store.entries[slot].addresses, peer: handle),
                    origin: store.entries[slot].origin))
        }
        return DialSpread.order(candidates, count: count, held: outboundGroups)
    }

    /// Outbound peers per group: connected outbound peers (by the address they were reached at,
    /// else the observed one) and peers being dialled.
    var outboundGroups: [DialSpread.Group: Int] {
        var held: [DialSpread.Group: Int] = [:]
        for (peer, connection) in connections.peers where connection.direction == .outbound {
            if let handle = store.handle(peer), !store.entry(handle).addresses.isEmpty {
                held[.of(store.entry(handle).addresses, peer: handle), default: 0] += 1
            } else if let ip = connection.ip, let group = DialSpread.Group.of(ip: ip) {
                held[group, default: 0] += 1
            }
        }
        for peer in dialing.keys where !connections.isConnected(peer) {
            guard let handle = store.handle(peer) else { continue }
            held[.of(store.entry(handle).addresses, peer: handle), default: 0] += 1
        }
        return held
    }
}
