import PeerIdentity

/// Connection lifecycle (nwaku `onPeerEvent` Joined/Left), streams, identify, metadata verdicts
/// and command outcomes.
extension PeerEngine {
    mutating func peerJoined(
        _ id: ConnectionID, peer: PeerID, direction: PeerDirection, address: Multiaddr?, now: EngineTime,
        into actions: inout [EngineAction]
    ) {
        guard peer != selfID else { return }
        let ip = address?.ipAddress
        // Connected peers are stored over capacity (below), so the connections tracked are
        // bounded instead: a host reporting more than 4 x the store's capacity is not believed.
        let connectionLimit = 4 * store.capacity
        if connections.count >= connectionLimit, connections.owners[id] == nil {
            actions.append(
                .decision(
                    Decision(
                        .storeFull, peer: peer, current: connections.count, target: connectionLimit,
                        detail:
                            "\(connections.count) connections tracked, 4 x --peer-store-capacity: "
                            + "connection \(id) ignored")))
            return
        }
        guard connections.open(id, peer: peer, direction: direction, ip: ip, now: now) else { return }
        // Room by the pruning rules; a connected peer is stored even when none can be made.
        if !store.contains(peer) { _ = makeRoom(into: &actions) }
        let handle = store.insert(peer)
        store.update(handle) { entry in
            entry.connectedness = .connected
            entry.direction = direction
            if direction == .outbound {
                // A successful outbound connection is the only thing that clears failures.
                entry.failedAttempts = 0
                entry.lastFailedAttempt = nil
                if entry.addresses.isEmpty, let address { entry.addresses = [address] }
            }
        }
        actions.append(
            .decision(
                Decision(
                    .peerJoined, peer: peer, current: connections.peers.count, target: configuration.maxConnections,
                    detail:
                        "\(direction) connection \(id) from \(ip ?? "unknown ip"); "
                        + "\(connections.peers.count)/\(configuration.maxConnections) peers connected"
                )))

        if direction == .inbound, enforceInboundRelayCap(peer, now: now, into: &actions) { return }

        if configuration.colocationLimit != 0, let ip {
            switch colocation.admit(peer, ip: ip, protected: protection.isProtected(peer)) {
            case .admitted:
                connections.markColocated(peer)
            case .refused(let present):
                actions.append(
                    .decision(
                        Decision(
                            .colocationLimit, peer: peer, current: present + 1, target: configuration.colocationLimit,
                            detail:
                                "\(present + 1) peers behind \(ip), limit \(configuration.colocationLimit): "
                                + "refusing the newcomer"
                        )))
                policyDisconnect(peer, reason: .colocationLimit, now: now, into: &actions)
                deletePeer(peer)
                return
            }
        }

        if configuration.clusterID != nil, configuration.requestMetadataOnJoin {
            _ = issue(
                .requestMetadata(peer: peer, timeout: configuration.dialTimeout), timeout: configuration.dialTimeout,
                now: now, into: &actions)
        }
    }

    /// Disconnects an inbound relay peer that takes the inbound relay count over target.
    /// Only inbound peers are cut: nwaku cuts the joining peer whatever its direction, so an
    /// outbound peer we just dialled could be dropped for an inbound surplus.
    @discardableResult
    mutating func enforceInboundRelayCap(_ peer: PeerID, now: EngineTime, into actions: inout [EngineAction]) -> Bool {
        guard let handle = store.handle(peer), store.inboundRelaySet.contains(handle),
            !pendingDisconnects.contains(peer)
        else { return false }
        let inbound = effectiveInboundRelay.count
        guard inbound > targets.inbound else { return false }
        actions.append(
            .decision(
                Decision(
                    .inboundRelayLimit, peer: peer, current: inbound, target: targets.inbound,
                    detail: "in relay \(inbound)/\(targets.inbound): disconnecting the newcomer")))
        return policyDisconnect(peer, reason: .inboundRelayLimit, now: now, into: &actions)
    }

    mutating func connectionClosed(_ id: ConnectionID, now: EngineTime, into actions: inout [EngineAction]) {
        guard let (peer, last) = connections.close(id), let last else { return }
        if last.colocated, let ip = last.ip { colocation.release(peer, ip: ip) }
        pendingDisconnects.remove(peer)
        if rejected.remove(peer) != nil { return }
        guard let handle = store.handle(peer) else { return }
        store.update(handle) { entry in
            entry.connectedness = .canConnect
            entry.direction = .unknown
            entry.disconnectTime = now
            entry.relayStreams = 0
        }
        actions.append(
            .decision(
                Decision(
                    .peerLeft, peer: peer, current: connections.peers.count, target: configuration.maxConnections,
                    detail: "last connection \(id) closed after \(now - last.joinedAt)")))
    }

    mutating func stream(
        _ peer: PeerID, protocolID: String, direction: PeerDirection, delta: Int, now: EngineTime,
        into actions: inout [EngineAction]
    ) {
        guard
            connections.stream(
                peer, protocolID: protocolID, direction: direction, delta: delta,
                maxProtocols: configuration.limits.maxProtocolsPerPeer) != nil,
            protocolID == WakuCodec.relay, !rejected.contains(peer), let handle = store.handle(peer)
        else { return }
        let wasRelay = store.inboundRelaySet.contains(handle)
        let wasOutboundRelay = store.outboundRelaySet.contains(handle)
        store.update(handle) { entry in entry.relayStreams = max(0, entry.relayStreams + Int32(delta)) }
        // Only the peer that just turned out to be an inbound relay peer is measured against the
        // cap; the loop trims any older surplus (youngest first).
        if !wasRelay { enforceInboundRelayCap(peer, now: now, into: &actions) }
        if !wasOutboundRelay { pruneOutboundSurplus(now: now, into: &actions) }
    }

    mutating func identified(_ peer: PeerID, _ info: IdentifyInfo, now: EngineTime, into actions: inout [EngineAction])
    {
        // Identify only matters for a peer we know or are connected to; a late result for a
        // peer that already left must not create an empty record.
        guard peer != selfID, !rejected.contains(peer), connections.isConnected(peer) || store.contains(peer) else {
            return
        }
        if !store.contains(peer) { _ = makeRoom(into: &actions) }
        let handle = store.insert(peer)
        let wasRelay = store.inboundRelaySet.contains(handle)
        let wasOutboundRelay = store.outboundRelaySet.contains(handle)
        let dropped = store.applyIdentify(handle, info)
        if dropped.protocols > 0 || dropped.addresses > 0 {
            // The host's word is kept, trimmed to the limits: the first entries are the peer's own order.
            let limits = configuration.limits
            actions.append(
                .decision(
                    Decision(
                        .peerTruncated, peer: peer, current: info.protocols.count + info.listenAddresses.count,
                        target: limits.maxProtocolsPerPeer + limits.maxAddressesPerPeer,
                        detail:
                            "identify listed \(info.protocols.count) protocols and \(info.listenAddresses.count) "
                            + "addresses; kept the first \(limits.maxProtocolsPerPeer) "
                            + "(\(EngineLimits.Kind.protocolsPerPeer.flag)) and \(limits.maxAddressesPerPeer) "
                            + "(\(EngineLimits.Kind.addressesPerPeer.flag))")))
        }
        if !wasRelay { enforceInboundRelayCap(peer, now: now, into: &actions) }
        if !wasOutboundRelay { pruneOutboundSurplus(now: now, into: &actions) }
    }

    /// The metadata verdict (nwaku `onPeerMetadata`, RFC 64): disconnect and delete on a failed
    /// exchange, a missing cluster id or another cluster; otherwise record the reported shards.
    mutating func applyMetadata(
        _ peer: PeerID, _ result: MetadataResult, now: EngineTime, into actions: inout [EngineAction]
    ) {
        guard !rejected.contains(peer), let handle = store.handle(peer) else { return }
        let ours = configuration.clusterID
        switch result {
        case .failed(let reason):
            reject(peer, .metadataFailed, detail: "metadata exchange failed: \(reason)", now: now, into: &actions)
        case .received(nil, _):
            reject(
                peer, .metadataMissingCluster, detail: "metadata response has no cluster id", now: now, into: &actions)
        case .received(let cluster?, _) where ours != nil && cluster != ours:
            reject(
                peer, .metadataClusterMismatch, detail: "peer is on cluster \(cluster), we are on \(ours!)", now: now,
                into: &actions)
        case .received(let cluster?, let shards):
            let valid = shards.filter { $0 <= RelayShard.maxShardIndex }
            store.update(handle) { entry in entry.metadataShards = RelayShards(clusterID: cluster, shardIDs: valid) }
            actions.append(
                .decision(
                    Decision(
                        .metadataAccepted, peer: peer, current: valid.count,
                        detail: "cluster \(cluster), shards \(valid.sorted())")))
        }
    }

    mutating func reject(
        _ peer: PeerID, _ reason: DecisionReason, detail: String, now: EngineTime, into actions: inout [EngineAction]
    ) {
        if protection.isProtected(peer) {
            deferredRejections[peer] = reason
            actions.append(
                .decision(Decision(.rejectionDeferred, peer: peer, detail: "\(detail); deferred while protected")))
            return
        }
        actions.append(
            .decision(Decision(reason, peer: peer, detail: "\(detail): disconnecting and forgetting the peer")))
        policyDisconnect(peer, reason: reason, now: now, into: &actions)
        deletePeer(peer)
    }

    mutating func commandCompleted(
        _ id: CommandID, _ outcome: CommandOutcome, now: EngineTime, into actions: inout [EngineAction]
    ) {
        guard let command = pending.removeValue(forKey: id) else { return }
        switch command.command {
        case .dial(let peer, _, _):
            dialing[peer] = nil
            switch outcome {
            case .succeeded:
                if let handle = store.handle(peer) {
                    store.update(handle) { entry in
                        entry.failedAttempts = 0
                        entry.lastFailedAttempt = nil
                    }
                }
                actions.append(.decision(Decision(.dialSucceeded, peer: peer, detail: "dial \(id) succeeded")))
            case .timedOut:
                recordDialFailure(peer, reason: .dialTimedOut, detail: "timed out", now: now, into: &actions)
            case .failed(let reason):
                recordDialFailure(peer, reason: .dialFailed, detail: reason, now: now, into: &actions)
            case .metadata:
                recordDialFailure(peer, reason: .dialFailed, detail: "unexpected outcome", now: now, into: &actions)
            }
            if batchInFlight.remove(id) != nil, batchInFlight.isEmpty {
                continueRound(now: now, into: &actions)
            }
        case .disconnect(let peer, _):
            if case .succeeded = outcome {} else { pendingDisconnects.remove(peer) }
        case .requestMetadata(let peer, _):
            let result: MetadataResult =
                switch outcome {
                case .metadata(let result): result
                case .succeeded: .received(clusterID: nil, shards: [])
                case .failed(let reason): .failed(reason: reason)
                case .timedOut: .failed(reason: "timed out")
                }
            applyMetadata(peer, result, now: now, into: &actions)
        }
    }

    /// A failed dial: one more failure, the time of it, and CannotConnect unless a connection is open.
    mutating func recordDialFailure(
        _ peer: PeerID, reason: DecisionReason, detail: String, now: EngineTime, into actions: inout [EngineAction]
    ) {
        guard let handle = store.handle(peer) else { return }
        store.update(handle) { entry in
            // Saturates: a count restored from a snapshot may already be Int32.max.
            entry.failedAttempts = entry.failedAttempts == .max ? .max : entry.failedAttempts + 1
            entry.lastFailedAttempt = now
            if entry.connectedness != .connected { entry.connectedness = .cannotConnect }
        }
        let failures = Int(store.entry(handle).failedAttempts)
        let next =
            backoff.earliestDial(failures: failures, lastFailure: now).map { "next attempt in \($0 - now)" }
            ?? "never redialled"
        actions.append(
            .decision(
                Decision(
                    reason, peer: peer, current: failures, target: configuration.maxFailedAttempts,
                    detail: "dial failed (\(detail)); failure \(failures)/\(configuration.maxFailedAttempts), \(next)"))
        )
    }

    /// Gives up on commands whose result is overdue: a dial counts as timed out, a metadata
    /// request as failed, a disconnect is forgotten (so policy may ask again).
    mutating func expireCommands(now: EngineTime, into actions: inout [EngineAction]) {
        let overdue = pending.filter { $0.value.deadline < now }.keys.sorted()
        for id in overdue {
            guard let command = pending[id] else { continue }
            actions.append(
                .decision(
                    Decision(
                        .commandExpired, peer: command.command.peer,
                        detail: "no result for \(id) by \(command.deadline)")))
            switch command.command {
            case .dial: commandCompleted(id, .timedOut, now: now, into: &actions)
            case .requestMetadata: commandCompleted(id, .failed(reason: "no answer"), now: now, into: &actions)
            case .disconnect: commandCompleted(id, .failed(reason: "no answer"), now: now, into: &actions)
            }
        }
    }
}
