import PeerIdentity

/// The dial order of a round spread across network groups and discovery origins.
///
/// nwaku dials its candidates in random order and only caps peers per IP, so a Sybil renting
/// many addresses in one hosting provider, or a peer-exchange server answering with its own
/// peers, can fill every outbound slot (an eclipse). Bitcoin Core makes its outbound connections
/// to distinct netgroups (`addrman`'s /16 for IPv4, /32 for IPv6); this is the same rule as an
/// order rather than a refusal, so a network with few groups still fills its slots:
///
/// - a candidate's *level* is the outbound peers its group already holds (connected or being
///   dialled) plus the candidates of its group queued before it; the queue takes every candidate
///   of level 0 before any of level 1, and so on: no group gets a second outbound peer while an
///   untouched group has a candidate;
/// - within a level, origins take turns (round robin), so one discovery source cannot fill a
///   level alone; within an origin the order is the caller's (a uniform random sample).
///
/// Groups (``Group``): IPv4 /16 and IPv6 /32 as Bitcoin's netgroups. A /24 is what one VPS
/// customer gets in one request; a /16 is closer to one provider's region, so it is the unit an
/// attacker pays to multiply. A DNS name is its own group (it resolves where its owner wants);
/// an address with neither is a group of one.
public enum DialSpread {
    /// The most candidates a round spreads over: a uniform sample of the pool this large (all of
    /// it when smaller, as with the default store capacity, 5 x max connections). It bounds the
    /// round's work on a 100k-peer store (one pass over the sample's addresses) while leaving
    /// hundreds of groups to choose from for a queue of tens: a group holding share s of the
    /// pool appears s x 1024 times in the sample in expectation.
    public static let window = 1024

    /// A candidate's network group.
    public enum Group: Hashable, Sendable {
        /// The first two bytes of an IPv4 address.
        case ipv4(UInt16)
        /// The first four bytes of an IPv6 address.
        case ipv6(UInt32)
        /// A DNS name (`dns`, `dns4`, `dns6`, `dnsaddr`), lowercased.
        case name(String)
        /// No IP and no name (an onion address, say): a group of its own, keyed by the peer.
        case single(Int32)

        /// The group of a peer's first address that names an IP or a host; `peer` keys an
        /// address with neither. Reads at most the components of the addresses given.
        public static func of(_ addresses: [Multiaddr], peer: Int32) -> Group {
            for address in addresses {
                for component in address.components {
                    switch component {
                    case .ip4(let ip): return .ipv4(UInt16(ip.bytes[0]) << 8 | UInt16(ip.bytes[1]))
                    case .ip6(let ip):
                        return .ipv6(ip.bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                    case .dns(let name), .dns4(let name), .dns6(let name), .dnsaddr(let name):
                        return .name(name.lowercased())
                    default: continue
                    }
                }
            }
            return .single(peer)
        }

        /// The group of an observed IP given as text (a connection's remote address); `nil`
        /// when it is neither an IPv4 nor an IPv6 address.
        public static func of(ip text: String) -> Group? {
            if let ip = IPv4Address(text) { return of([Multiaddr(components: [.ip4(ip)])], peer: 0) }
            if let ip = IPv6Address(text) { return of([Multiaddr(components: [.ip6(ip)])], peer: 0) }
            return nil
        }
    }

    /// One dial candidate.
    public struct Candidate: Sendable, Equatable {
        public var peer: Int32
        public var group: Group
        public var origin: PeerOrigin

        public init(peer: Int32, group: Group, origin: PeerOrigin) {
            self.peer = peer
            self.group = group
            self.origin = origin
        }
    }

    /// The spread queue and what it changed.
    public struct Order: Sendable, Equatable {
        /// The first `count` candidates in dial order.
        public var queue: [Int32]
        /// Candidates the caller's order would have queued that the spread passed over (their
        /// group was held or queued while another group had a candidate, or their origin had
        /// had its turn).
        public var passedOver: Int
        /// Distinct groups in the queue.
        public var groups: Int
    }

    /// The first `count` of `candidates` in spread order. `held` gives the outbound peers each
    /// group already holds. Linear in the candidates (one pass to bucket, one to emit).
    public static func order(_ candidates: [Candidate], count: Int, held: [Group: Int]) -> Order {
        let count = min(max(count, 0), candidates.count)
        guard count > 0 else { return Order(queue: [], passedOver: 0, groups: 0) }
        // Each candidate's level: its group's held peers plus the candidates of its group before
        // it. Groups get dense numbers on first sight, so each candidate costs one hash.
        var number: [Group: Int] = [:]
        number.reserveCapacity(min(candidates.count, 4096))
        var taken: [Int] = []
        var groupOf: [Int] = []
        groupOf.reserveCapacity(candidates.count)
        var levels: [Int] = []
        levels.reserveCapacity(candidates.count)
        var lowest = Int.max
        for candidate in candidates {
            let group: Int
            if let known = number[candidate.group] {
                group = known
            } else {
                group = taken.count
                number[candidate.group] = group
                taken.append(held[candidate.group] ?? 0)
            }
            groupOf.append(group)
            levels.append(taken[group])
            lowest = min(lowest, taken[group])
            taken[group] += 1
        }
        // Buckets by level, counted from the lowest: a level past `count` above it is never
        // reached, so the bucket array stays within `count + 1`.
        var buckets: [[Int]] = Array(repeating: [], count: count + 1)
        for (index, level) in levels.enumerated() { buckets[min(level - lowest, count)].append(index) }
        var queue: [Int] = []
        queue.reserveCapacity(count)
        for bucket in buckets where queue.count < count {
            interleaveByOrigin(bucket, of: candidates, into: &queue, limit: count)
        }
        // The caller's first `count` are indices 0 ..< count: those not queued were passed over.
        let passedOver = count - queue.count { $0 < count }
        let groups = Set(queue.map { groupOf[$0] }).count
        return Order(queue: queue.map { candidates[$0].peer }, passedOver: passedOver, groups: groups)
    }

    /// Appends `bucket`'s candidates (indices into `candidates`, in the caller's order) to
    /// `queue` with origins taking turns in the order each first appears, until `limit`.
    static func interleaveByOrigin(_ bucket: [Int], of candidates: [Candidate], into queue: inout [Int], limit: Int) {
        // One list per origin (a handful of cases), in the order each origin first appears.
        var slot = Array(repeating: -1, count: Int(PeerOrigin.allCases.map(\.rawValue).max() ?? 0) + 1)
        var lists: [[Int]] = []
        for index in bucket {
            let origin = Int(candidates[index].origin.rawValue)
            if slot[origin] < 0 {
                slot[origin] = lists.count
                lists.append([])
            }
            lists[slot[origin]].append(index)
        }
        var position = 0
        while queue.count < limit {
            var took = false
            for list in lists where position < list.count && queue.count < limit {
                queue.append(list[position])
                took = true
            }
            guard took else { return }
            position += 1
        }
    }
}
