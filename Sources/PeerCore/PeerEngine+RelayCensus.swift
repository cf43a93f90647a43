import PeerIdentity

/// How many relay slots each direction holds: the counts every relay policy reads (the loop's
/// fill and interval, the inbound cap, the surplus pruning, the statistics).
///
/// A connection counts as relay when the peer is known to speak relay: identify listed
/// `/vac/waku/relay/2.0.0`, a relay stream is open, or its ENR has the waku2 relay bit. Outbound
/// slots are also held by what may still turn out to be relay, so peerd never dials past its
/// target while identities are unknown: every policy dial (connectivity or reconnect) from the
/// moment it is issued until it fails, and every connected outbound peer nothing is known about
/// yet (no protocols, no waku2 bits) until identify or a stream says what it is. A relay peer
/// whose known shards include none of ours holds no slot (nwaku HEAD keeps it connected, #3519);
/// it is the first to go when a direction is over target.
extension PeerEngine {
    /// Known shards (ENR or metadata) and none of them ours; `false` while unknown or when we
    /// have no shards configured.
    func sharesNoShard(_ handle: Int32) -> Bool {
        guard let cluster = configuration.clusterID, !configuration.shards.isEmpty else { return false }
        let entry = store.entry(handle)
        let (enr, metadata) = (entry.enr?.relayShards, entry.metadataShards)
        guard enr != nil || metadata != nil else { return false }
        func ours(_ shards: RelayShards?) -> Bool {
            guard let shards, shards.clusterID == cluster else { return false }
            return shards.shardIDs.contains(where: configuration.shards.contains)
        }
        return !ours(enr) && !ours(metadata)
    }

    /// Inbound relay peers that hold a slot: not being disconnected, not off our shards.
    var effectiveInboundRelay: [Int32] {
        store.inboundRelaySet.elements.filter { !pendingDisconnects.contains(store.entry($0).id) && !sharesNoShard($0) }
    }

    /// Connected outbound relay peers that hold a slot (known relay, on our shards).
    var effectiveOutboundRelayCount: Int {
        store.outboundRelaySet.elements.count { !pendingDisconnects.contains(store.entry($0).id) && !sharesNoShard($0) }
    }

    /// Connected outbound peers of unknown kind, not being disconnected. A peer deleted while
    /// connected (``rejected``) has its protocols stripped, which would make it look unknown: it
    /// holds no slot.
    var unknownOutboundCount: Int {
        store.outboundUnknownSet.elements.count {
            let peer = store.entry($0).id
            return !pendingDisconnects.contains(peer) && !rejected.contains(peer)
        }
    }

    /// Policy dials (connectivity, reconnect) in flight to peers not connected yet.
    var policyDialsInFlight: Int {
        dialing.count { pending[$0.value]?.purpose != .request && !connections.isConnected($0.key) }
    }

    /// Every dial in flight to a peer not connected yet (each may become a connection).
    var dialsInFlight: Int {
        dialing.keys.count { !connections.isConnected($0) }
    }

    /// The outbound relay slots held: connected relay peers, connected peers of unknown kind and
    /// policy dials in flight. The loop fills up to the target against this count.
    var outboundRelayClaims: Int {
        effectiveOutboundRelayCount + unknownOutboundCount + policyDialsInFlight
    }

    /// How many more connections peerd's own dials may open: `--max-connections` less the
    /// connected peers and the dials in flight.
    var connectionRoom: Int {
        max(configuration.maxConnections - connections.peers.count - dialsInFlight, 0)
    }

    /// The relay peers of one direction (known relay, not being disconnected), off-shard ones
    /// included, as ``RelaySurplus`` candidates; a peer a client asked for is kept like a
    /// protected one.
    func surplusCandidates(_ handles: [Int32], now: EngineTime) -> [RelaySurplus.Candidate] {
        // With a shard floor, a peer its shard cannot lose is kept like a protected one.
        let coverage = coverageFloor > 0 ? shardCoverageCounts() : [:]
        return handles.compactMap { handle in
            let peer = store.entry(handle).id
            guard !pendingDisconnects.contains(peer) else { return nil }
            return RelaySurplus.Candidate(
                peer: peer, joinedAt: connections.peers[peer]?.joinedAt ?? now,
                isProtected: protection.isProtected(peer) || requestedPeers.contains(peer)
                    || (!coverage.isEmpty && isScarce(handle, coverage: coverage)),
                offShard: sharesNoShard(handle))
        }
    }
}
