import PeerIdentity

/// Which connected relay peers to disconnect when one direction holds more than its target: a
/// pure plan (snapshot + target -> peers), shared by the inbound and outbound pruning.
///
/// The candidates are the direction's connected peers known to be relay, not already being
/// disconnected, off-shard ones included. Dials in flight and peers of unknown kind hold outbound
/// slots for filling, but never make a known relay peer go: the unknown one may turn out not to
/// be relay. The surplus over `target` is taken from the candidates: peers that share no shard
/// with us first (they are kept only while there is room, and never count toward the targets),
/// then the youngest (least standing in the mesh); protected peers are skipped.
public enum RelaySurplus {
    public struct Candidate: Sendable, Hashable {
        public var peer: PeerID
        public var joinedAt: EngineTime
        public var isProtected: Bool
        /// The peer's known shards do not include any of ours.
        public var offShard: Bool

        public init(peer: PeerID, joinedAt: EngineTime, isProtected: Bool = false, offShard: Bool = false) {
            self.peer = peer
            self.joinedAt = joinedAt
            self.isProtected = isProtected
            self.offShard = offShard
        }
    }

    public struct Plan: Sendable, Equatable {
        /// Slots held above the target.
        public var surplus: Int
        /// The peers to disconnect, in order.
        public var chosen: [PeerID]
        /// Unprotected candidates that could have been chosen.
        public var unprotected: Int

        public init(surplus: Int, chosen: [PeerID], unprotected: Int) {
            self.surplus = surplus
            self.chosen = chosen
            self.unprotected = unprotected
        }
    }

    public static func plan(_ candidates: [Candidate], target: Int) -> Plan {
        let surplus = max(candidates.count - target, 0)
        guard surplus > 0 else { return Plan(surplus: 0, chosen: [], unprotected: 0) }
        let order = candidates.filter { !$0.isProtected }.sorted { a, b in
            if a.offShard != b.offShard { return a.offShard }
            if a.joinedAt != b.joinedAt { return a.joinedAt > b.joinedAt }
            return a.peer < b.peer
        }
        return Plan(surplus: surplus, chosen: order.prefix(surplus).map(\.peer), unprotected: order.count)
    }
}
