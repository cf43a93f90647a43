import PeerCore
import PeerIdentity

/// One virtual peer: what it is (the ground truth the metrics read) and how it behaves.
public struct VirtualPeer: Sendable {
    public var index: Int
    public var id: PeerID
    public var address: Multiaddr
    /// Its IPv4 address (peers of one colocation group share it).
    public var ip: UInt32
    /// In one of the scenario's few crowded subnets (``Scenario/concentratedFraction``).
    public var concentrated: Bool
    public var clusterID: UInt16
    public var shards: [UInt16]
    public var relay: Bool
    public var reachable: Bool
    /// An unreachable peer's dial is refused at once (else it times out).
    public var refuses: Bool
    public var dialLatency: Double
    /// `nil`: never arrives.
    public var identifyDelay: Double?
    public var metadataDelay: Double?
    /// A static peer the application connects to and protects; it never churns.
    public var isProtected: Bool

    /// What discovery reports about it (its ENR's facts and address).
    public var info: PeerInfo {
        PeerInfo(
            id: id, addresses: [address],
            enr: PeerENRInfo(
                sequence: 1, text: "enr:sim-\(index)", relayShards: RelayShards(clusterID: clusterID, shardIDs: shards),
                capabilities: relay ? [.relay, .store] : [.store, .filter, .lightpush]))
    }

    /// What identify reports.
    public var protocols: [String] {
        relay
            ? [WakuCodec.relay, WakuCodec.metadata, WakuCodec.store]
            : [WakuCodec.metadata, WakuCodec.store, WakuCodec.filterSubscribe, WakuCodec.lightpush]
    }

    /// A relay peer of our cluster on at least one of `shards`: the peers a relay slot is for.
    public func isUsefulRelay(cluster: UInt16, shards ours: [UInt16]) -> Bool {
        relay && clusterID == cluster && shards.contains(where: ours.contains)
    }
}

/// The generated network of a scenario: the same scenario (and seed) gives the same peers.
public struct VirtualNetwork: Sendable {
    public var peers: [VirtualPeer]
    public var byID: [PeerID: Int]

    public init(_ scenario: Scenario) {
        var rng = SimRandom(seed: scenario.seed, stream: 1)
        var addressing = Addressing(scenario)
        var peers: [VirtualPeer] = []
        peers.reserveCapacity(scenario.peers)
        var nextIP: UInt32 = 0x0A00_0001  // 10.0.0.1
        var sharedIP: (ip: UInt32, left: Int)?
        let weights =
            scenario.shardWeights.isEmpty ? Array(repeating: 1.0, count: scenario.networkShards) : scenario.shardWeights
        for index in 0..<scenario.peers {
            let isProtected = index < scenario.protectedPeers
            let relay = isProtected || rng.chance(scenario.relayFraction)
            let cluster =
                !isProtected && rng.chance(scenario.otherClusterFraction) ? scenario.clusterID &+ 1 : scenario.clusterID
            var shards: [UInt16] = []
            let count =
                scenario.minShardsPerPeer
                + Int(rng.next() % UInt64(scenario.maxShardsPerPeer - scenario.minShardsPerPeer + 1))
            var pool = weights
            while shards.count < count {
                let shard = rng.weighted(pool)
                pool[shard] = 0
                if pool.allSatisfy({ $0 == 0 }) {
                    pool = weights.indices.map { shards.contains(UInt16($0)) || $0 == shard ? 0 : 1 }
                }
                if !shards.contains(UInt16(shard)) { shards.append(UInt16(shard)) }
            }
            if isProtected, !scenario.ourShards.isEmpty, !shards.contains(where: scenario.ourShards.contains) {
                shards[0] = scenario.ourShards[index % scenario.ourShards.count]
            }
            shards.sort()
            let reachable = isProtected || !rng.chance(scenario.unreachableFraction)
            let refuses = rng.chance(scenario.refusedFraction)
            let ip: UInt32
            if let shared = sharedIP, shared.left > 0 {
                ip = shared.ip
                sharedIP = (shared.ip, shared.left - 1)
            } else if !isProtected, rng.chance(scenario.colocatedFraction / Double(scenario.colocationGroupSize) * 2) {
                ip = nextIP
                nextIP += 1
                sharedIP = (ip, scenario.colocationGroupSize - 1)
            } else {
                ip = nextIP
                nextIP += 1
                sharedIP = nil
            }
            let latency = rng.uniform(scenario.dialLatencyMin...scenario.dialLatencyMax)
            let identify: Double? =
                rng.chance(scenario.identifyNeverFraction) && !isProtected
                ? nil : rng.uniform(scenario.identifyDelayMin...scenario.identifyDelayMax)
            let metadata: Double? =
                rng.chance(scenario.metadataNeverFraction) && !isProtected
                ? nil : rng.uniform(scenario.metadataDelayMin...scenario.metadataDelayMax)
            peers.append(
                VirtualPeer(
                    index: index, id: Self.peerID(index), address: Self.address(addressing.address(of: ip)),
                    ip: addressing.address(of: ip), concentrated: addressing.isConcentrated(ip), clusterID: cluster,
                    shards: shards, relay: relay, reachable: reachable, refuses: refuses, dialLatency: latency,
                    identifyDelay: identify, metadataDelay: metadata, isProtected: isProtected))
        }
        self.peers = peers
        var byID: [PeerID: Int] = [:]
        byID.reserveCapacity(peers.count)
        for peer in peers { byID[peer.id] = peer.index }
        self.byID = byID
    }

    /// Where each host (a colocation group's shared IP counts once) sits in the IPv4 space, drawn
    /// from a stream of its own so every other draw of the network stays as it was: most hosts
    /// at a random address (~54k /16s), ``Scenario/concentratedFraction`` of them packed into
    /// ``Scenario/concentratedSubnets`` subnets, each a /16 of its own filled /24 by /24 (a
    /// hosting provider's block; past 65k hosts a subnet's addresses repeat).
    struct Addressing {
        var rng: SimRandom
        let fraction: Double
        let subnets: Int
        var assigned: [UInt32: UInt32] = [:]
        var concentrated: Set<UInt32> = []
        var used: Set<UInt32> = []
        var nextHost: [Int]

        init(_ scenario: Scenario) {
            rng = SimRandom(seed: scenario.seed, stream: 5)
            fraction = scenario.concentratedFraction
            subnets = max(scenario.concentratedSubnets, 1)
            nextHost = Array(repeating: 1, count: max(scenario.concentratedSubnets, 1))
        }

        /// The address of host `host` (the generator's sequential IP), assigned on first use.
        mutating func address(of host: UInt32) -> UInt32 {
            if let known = assigned[host] { return known }
            var address: UInt32
            if rng.chance(fraction) {
                let subnet = Int(rng.next() % UInt64(subnets))
                // 100.64.0.0/10 (shared address space): subnet k is 100.(64 + k).h.l.
                let index = nextHost[subnet]
                nextHost[subnet] += 1
                address = 0x6440_0000 + UInt32(subnet) << 16 + UInt32(index >> 8 & 0xFF) << 8 + UInt32(index & 0xFF)
                concentrated.insert(host)
            } else {
                repeat {
                    // 11.0.0.0 ... 99.255.255.255 and 104 ... 223: public-looking, never a crowded subnet.
                    let first = UInt32(11 + rng.next() % 202)
                    let octet = first >= 100 ? first + 4 : first
                    address = octet << 24 | UInt32(truncatingIfNeeded: rng.next() & 0xFF_FFFF)
                } while !used.insert(address).inserted
            }
            assigned[host] = address
            return address
        }

        func isConcentrated(_ host: UInt32) -> Bool { concentrated.contains(host) }
    }

    /// A stable id per index (an identity multihash's shape; the engine never verifies keys).
    static func peerID(_ index: Int) -> PeerID {
        var bytes: [UInt8] = [0x00, 0x0A, 0x53, 0x49]  // identity, 10 bytes: "SI" + index
        var value = UInt64(index)
        for _ in 0..<8 {
            bytes.append(UInt8(value & 0xFF))
            value >>= 8
        }
        return PeerID(multihash: bytes)
    }

    static func address(_ ip: UInt32) -> Multiaddr {
        let bytes = [UInt8(ip >> 24), UInt8((ip >> 16) & 0xFF), UInt8((ip >> 8) & 0xFF), UInt8(ip & 0xFF)]
        // Four bytes always make an IPv4 address.
        let components: [MultiaddrComponent] =
            IPv4Address(bytes: bytes).map { [.ip4($0), .tcp(60000)] } ?? [.tcp(60000)]
        return Multiaddr(components: components)
    }
}
