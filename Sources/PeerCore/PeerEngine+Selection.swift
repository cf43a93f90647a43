import PeerIdentity

/// Peer selection (nwaku `selectPeer`, logos-delivery `selectPeers`).
///
/// Candidates are the peers whose protocols contain the protocol exactly, whatever their
/// connectedness (as in nwaku). With a shard, a peer qualifies when its ENR `rs`/`rsv` or its
/// metadata shards contain it (cluster included). For relay the choice is random; for any other
/// protocol the service-slot peers that pass the shard filter come first (nwaku returns the slot
/// even for the wrong shard), then a random peer. Random choices use indexes and sampling, not a
/// scan of the store.
extension PeerEngine {
    /// One peer for `protocolID`, optionally on `shard`.
    public func selectPeer(
        protocolID: String, shard: RelayShard? = nil, using rng: inout some RandomNumberGenerator
    ) -> PeerRecord? {
        if protocolID != WakuCodec.relay {
            let slotted = slotPeers(protocolID: protocolID, shard: shard)
            if let peer = slotted.randomElement(using: &rng) { return store.record(at: peer) }
        }
        return randomCandidate(protocolID: protocolID, shard: shard, using: &rng).map { store.record(at: $0) }
    }

    /// One peer for `protocolID` on the shard named by a `/waku/2/rs/<cluster>/<shard>` topic;
    /// `nil` for any other topic text.
    public func selectPeer(
        protocolID: String, pubsubTopic: String, using rng: inout some RandomNumberGenerator
    ) -> PeerRecord? {
        guard let shard = RelayShard(topic: pubsubTopic) else { return nil }
        return selectPeer(protocolID: protocolID, shard: shard, using: &rng)
    }

    /// Up to `limit` distinct peers: slot peers first (shuffled), then the others shuffled.
    public func selectPeers(
        protocolID: String, shard: RelayShard? = nil, limit: Int = .max,
        using rng: inout some RandomNumberGenerator
    ) -> [PeerRecord] {
        guard limit > 0 else { return [] }
        var slotted = protocolID == WakuCodec.relay ? [] : slotPeers(protocolID: protocolID, shard: shard)
        slotted.shuffle(using: &rng)
        var result = Array(slotted.prefix(limit))
        if result.count < limit {
            result += sample(
                protocolID: protocolID, shard: shard, count: limit - result.count, excluding: Set(slotted), using: &rng)
        }
        return result.map { store.record(at: $0) }
    }

    /// Up to `count` distinct random members of protocol ∩ shard, minus `excluding`. A few picks
    /// out of a large index are drawn by rejection sampling (uniform, no scan); otherwise, or
    /// when sampling keeps missing, the intersection is filtered and partially shuffled.
    func sample(
        protocolID: String, shard: RelayShard?, count: Int, excluding: Set<Int32>,
        using rng: inout some RandomNumberGenerator
    ) -> [Int32] {
        guard count > 0, let proto = store.protocolID(protocolID) else { return [] }
        let byProtocol = store.byProtocol[Int(proto)]
        var small = byProtocol
        var large: HandleSet?
        if let shard {
            guard let byShard = store.shardSet(shard.indexKey) else { return [] }
            (small, large) = byProtocol.count <= byShard.count ? (byProtocol, byShard) : (byShard, byProtocol)
        }
        if count <= small.count / 8 {
            var chosen: [Int32] = []
            var seen: Set<Int32> = []
            var attempts = 0
            while chosen.count < count, attempts < count * 32 {
                attempts += 1
                guard let handle = small.randomElement(using: &rng), seen.insert(handle).inserted else { continue }
                if excluding.contains(handle) || large.map({ !$0.contains(handle) }) == true { continue }
                chosen.append(handle)
            }
            if chosen.count == count { return chosen }
        }
        var all = candidates(protocolID: protocolID, shard: shard).filter { !excluding.contains($0) }
        // A partial Fisher-Yates: only the first `count` places are shuffled.
        let wanted = min(count, all.count)
        for index in 0..<wanted {
            all.swapAt(index, Int.random(in: index..<all.count, using: &rng))
        }
        return Array(all.prefix(wanted))
    }

    /// ``selectPeers(protocolID:shard:limit:using:)`` by pubsub topic; empty for an invalid topic.
    public func selectPeers(
        protocolID: String, pubsubTopic: String, limit: Int = .max, using rng: inout some RandomNumberGenerator
    ) -> [PeerRecord] {
        guard let shard = RelayShard(topic: pubsubTopic) else { return [] }
        return selectPeers(protocolID: protocolID, shard: shard, limit: limit, using: &rng)
    }

    /// Slot peers still in the store and on the shard.
    func slotPeers(protocolID: String, shard: RelayShard?) -> [Int32] {
        serviceSlots.peers(for: protocolID).compactMap { peer in
            guard let handle = store.handle(peer) else { return nil }
            if let shard, !(store.shardSet(shard.indexKey)?.contains(handle) ?? false) { return nil }
            return handle
        }
    }

    /// A uniformly random member of protocol ∩ shard: rejection sampling from the smaller index,
    /// falling back to an exact filter when the intersection is sparse.
    func randomCandidate(
        protocolID: String, shard: RelayShard?, using rng: inout some RandomNumberGenerator
    ) -> Int32? {
        guard let proto = store.protocolID(protocolID) else { return nil }
        let byProtocol = store.byProtocol[Int(proto)]
        guard let shard else { return byProtocol.randomElement(using: &rng) }
        guard let byShard = store.shardSet(shard.indexKey) else { return nil }
        let (small, large) = byProtocol.count <= byShard.count ? (byProtocol, byShard) : (byShard, byProtocol)
        guard !small.isEmpty else { return nil }
        for _ in 0..<32 {
            if let handle = small.randomElement(using: &rng), large.contains(handle) { return handle }
        }
        return small.elements.filter { large.contains($0) }.randomElement(using: &rng)
    }

    /// Every member of protocol ∩ shard.
    func candidates(protocolID: String, shard: RelayShard?) -> [Int32] {
        guard let proto = store.protocolID(protocolID) else { return [] }
        let byProtocol = store.byProtocol[Int(proto)]
        guard let shard else { return byProtocol.elements }
        guard let byShard = store.shardSet(shard.indexKey) else { return [] }
        let (small, large) = byProtocol.count <= byShard.count ? (byProtocol, byShard) : (byShard, byProtocol)
        return small.elements.filter { large.contains($0) }
    }
}
