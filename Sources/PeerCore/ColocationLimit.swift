import PeerIdentity

/// The IP colocation limit: at most `limit` connected peers per observed IP (0 disables it).
///
/// nwaku admits the newcomer and evicts (and deletes) the *oldest* peers behind the IP, so one
/// NAT newcomer can push out long-lived, well-scored peers. We refuse the newcomer instead: the
/// peers already admitted keep their place. A protected newcomer (a request in flight) is
/// admitted over the limit, since protection forbids policy disconnects.
public struct ColocationLimit: Sendable {
    /// Admission verdict for a newly joined peer.
    enum Admission: Sendable, Hashable {
        /// Admitted; `peersAtIP` counts it.
        case admitted(peersAtIP: Int)
        /// Refused; `peersAtIP` peers were already there.
        case refused(peersAtIP: Int)
    }

    public let limit: Int
    private(set) var peersByIP: [String: Set<PeerID>] = [:]

    public init(limit: Int) { self.limit = limit }

    /// The number of admitted peers behind `ip`.
    public func count(at ip: String) -> Int { peersByIP[ip]?.count ?? 0 }

    /// Decides whether `peer` may stay behind `ip`, recording it when admitted.
    mutating func admit(_ peer: PeerID, ip: String, protected: Bool) -> Admission {
        let present = peersByIP[ip]?.count ?? 0
        if limit != 0, present >= limit, !protected, peersByIP[ip]?.contains(peer) != true {
            return .refused(peersAtIP: present)
        }
        peersByIP[ip, default: []].insert(peer)
        return .admitted(peersAtIP: peersByIP[ip]!.count)
    }

    /// Forgets `peer` behind `ip` (on Left, or when the peer is deleted).
    mutating func release(_ peer: PeerID, ip: String) {
        peersByIP[ip]?.remove(peer)
        if peersByIP[ip]?.isEmpty == true { peersByIP[ip] = nil }
    }
}
