import PeerCore
import PeerIdentity

/// One virtual peer: what it is (the ground truth the metrics read) and how it behaves.
public struct VirtualPeer: Sendable {
    public var index: Int
    public var id: PeerID
    public var address: Multiaddr
    public var ip: UInt32
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
                    index: index, id: Self.peerID(index), address: Self.address(ip), ip: ip, clusterID: cluster,
                    shards: shards, relay: relay, reachable: reachable, refuses: refuses, dialLatency: latency,
                    identifyDelay: identify, metadataDelay: metadata, isProtected: isProtected))
        }
        self.peers = peers
        var byID: [PeerID: Int] = [:]
        byID.reserveCapacity(peers.count)
        for peer in peers { byID[peer.id] = peer.index }
        self.byID = byID
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
