import PeerIdentity

/// Connection lifecycle (nwaku `onPeerEvent` Joined/Left), streams, identify, metadata verdicts
/// and command outcomes.
extension PeerEngine {
    /// - Returns: `false` when the event is ignored (our own id, a connection id already open,
    ///   a connection over the tracking limit).
    @discardableResult
    mutating func peerJoined(
        _ id: ConnectionID, peer: PeerID, direction: PeerDirection, address: Multiaddr?, now: EngineTime,
        into actions: inout [EngineAction]
    ) -> Bool {
        guard peer != selfID, connections.owners[id] == nil else { return false }
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
            return false
        }
        // Another connection of a connected peer changes nothing else.
        guard connections.open(id, peer: peer, direction: direction, ip: ip, now: now) else { return true }
        // Room by the pruning rules; a connected peer is stored even when none can be made.
        if !store.contains(peer) { _ = makeRoom(into: &actions) }
        let handle = store.insert(peer)
        store.changes.append(PeerChange(.connected, peer))
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

        // A peer cut by the inbound relay cap still goes through every check below: the disconnect
        // may fail, and the peer must not then stay connected unchecked (its IP unaccounted, its
        // cluster never asked).
        if direction == .inbound { enforceInboundRelayCap(peer, now: now, into: &actions) }

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
                return true
            }
        }

        if configuration.clusterID != nil, configuration.requestMetadataOnJoin {
            _ = issue(
                .requestMetadata(peer: peer, timeout: configuration.dialTimeout), timeout: configuration.dialTimeout,
                now: now, into: &actions)
        }
        return true
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
        if coverageFloor > 0, isScarce(handle, coverage: shardCoverageCounts()) {
            // The newcomer serves a short shard: an older, replaceable inbound peer goes instead.
            pruneSurplus(
                store.inboundRelaySet.elements, target: targets.inbound, direction: "in", reason: .inboundRelayPruned,
                now: now, into: &actions)
            return false
        }
        actions.append(
            .decision(
                Decision(
                    .inboundRelayLimit, peer: peer, current: inbound, target: targets.inbound,
                    detail: "in relay \(inbound)/\(targets.inbound): disconnecting the newcomer")))
        return policyDisconnect(peer, reason: .inboundRelayLimit, now: now, into: &actions)
    }

    /// - Returns: `false` for a connection the engine does not know.
    @discardableResult
    mutating func connectionClosed(_ id: ConnectionID, now: EngineTime, into actions: inout [EngineAction]) -> Bool {
        guard let (peer, last) = connections.close(id) else { return false }
        guard let last else { return true }
        // The colocation place follows the connection: it is freed when the last one closes.
        if last.colocated, let ip = last.ip { colocation.release(peer, ip: ip) }
        pendingDisconnects.remove(peer)
        if !policyDisconnects.isEmpty { policyDisconnects[peer] = nil }
        // A deferred rejection judged this connection's metadata; the next connection is asked again.
        if !deferredRejections.isEmpty { deferredRejections[peer] = nil }
        store.changes.append(PeerChange(.disconnected, peer))
        if rejected.remove(peer) != nil {
            // Deleted while connected: it leaves the books now.
            store.remove(peer)
            actions.append(
                .decision(
                    Decision(
                        .peerLeft, peer: peer, current: connections.peers.count, target: configuration.maxConnections,
                        detail:
                            "last connection \(id) closed after \(now - last.joinedAt); "
                            + "deleted while connected, now removed from the books")))
            return true
        }
        guard let handle = store.handle(peer) else { return true }
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
        if coverageFloor > 0, !subscribedShards(of: handle).isEmpty { coverageLost(now: now) }
        return true
    }

    /// - Returns: `false` for a peer with no open connection or a protocol over the tracking limit.
    @discardableResult
    mutating func stream(
        _ peer: PeerID, protocolID: String, direction: PeerDirection, delta: Int, now: EngineTime,
        into actions: inout [EngineAction]
    ) -> Bool {
        guard
            connections.stream(
                peer, protocolID: protocolID, direction: direction, delta: delta,
                maxProtocols: configuration.limits.maxProtocolsPerPeer) != nil
        else { return false }
        guard protocolID == WakuCodec.relay, !rejected.contains(peer), let handle = store.handle(peer) else {
            return true
        }
        let wasRelay = store.inboundRelaySet.contains(handle)
        let wasOutboundRelay = store.outboundRelaySet.contains(handle)
        store.update(handle) { entry in entry.relayStreams = max(0, entry.relayStreams + Int32(delta)) }
        // Only the peer that just turned out to be an inbound relay peer is measured against the
        // cap; the loop trims any older surplus (youngest first).
        if !wasRelay { enforceInboundRelayCap(peer, now: now, into: &actions) }
        if !wasOutboundRelay { pruneOutboundSurplus(now: now, into: &actions) }
        return true
    }

    /// - Returns: `false` for our own id, a peer being deleted, or a peer neither stored nor connected.
    @discardableResult
    mutating func identified(
        _ peer: PeerID, _ info: IdentifyInfo, now: EngineTime, into actions: inout [EngineAction]
    ) -> Bool {
        // Identify only matters for a peer we know or are connected to; a late result for a
        // peer that already left must not create an empty record.
        guard peer != selfID, !rejected.contains(peer), connections.isConnected(peer) || store.contains(peer) else {
            return false
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
        return true
    }

    /// The metadata verdict (nwaku `onPeerMetadata`, RFC 64): disconnect and delete on a failed
    /// exchange, a missing cluster id or another cluster; otherwise record the reported shards.
    ///
    /// A failure for a peer that is no longer connected is ignored: the exchange failed because
    /// the connection ended, which says nothing about the peer, and deleting it would lose its
    /// history (failures, addresses) for nothing.
    ///
    /// - Returns: `false` when ignored (an unknown or deleted peer, a failure after it left).
    @discardableResult
    mutating func applyMetadata(
        _ peer: PeerID, _ result: MetadataResult, now: EngineTime, into actions: inout [EngineAction]
    ) -> Bool {
        guard !rejected.contains(peer), let handle = store.handle(peer) else { return false }
        if case .failed = result, !connections.isConnected(peer) { return false }
        let ours = configuration.clusterID
        switch result {
        case .failed(let reason):
            reject(
                peer, .metadataFailed, hostError: reason, detail: "metadata exchange failed: \(reason)", now: now,
                into: &actions)
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
            // The latest verdict wins: an earlier rejection deferred while protected is void.
            if !deferredRejections.isEmpty { deferredRejections[peer] = nil }
            actions.append(
                .decision(
                    Decision(
                        .metadataAccepted, peer: peer, current: valid.count,
                        detail: "cluster \(cluster), shards \(valid.sorted())")))
        }
        return true
    }

    /// - Parameter hostError: the host's error text when the verdict is a failed exchange.
    mutating func reject(
        _ peer: PeerID, _ reason: DecisionReason, hostError: String? = nil, detail: String, now: EngineTime,
        into actions: inout [EngineAction]
    ) {
        if protection.isProtected(peer) {
            deferredRejections[peer] = reason
            actions.append(
                .decision(
                    Decision(
                        .rejectionDeferred, peer: peer, hostError: hostError,
                        detail: "\(detail); deferred while protected")))
            return
        }
        actions.append(
            .decision(
                Decision(
                    reason, peer: peer, hostError: hostError,
                    detail: "\(detail): disconnecting and forgetting the peer")))
        policyDisconnect(peer, reason: reason, now: now, into: &actions)
        deletePeer(peer)
        if configuration.reasonCooldowns { cooldowns.start(peer, after: reason, now: now) }
    }

    /// - Returns: `false` for a command id that is not pending (unknown, already reported, expired
    ///   or dropped).
    @discardableResult
    mutating func commandCompleted(
        _ id: CommandID, _ outcome: CommandOutcome, now: EngineTime, into actions: inout [EngineAction]
    ) -> Bool {
        guard let command = pending.removeValue(forKey: id) else { return false }
        switch command.command {
        case .dial(let peer, _, _, _):
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
                recordDialFailure(peer, reason: .dialTimedOut, failure: "timed out", now: now, into: &actions)
            case .failed(let reason):
                recordDialFailure(peer, reason: .dialFailed, failure: reason, now: now, into: &actions)
            case .metadata:
                recordDialFailure(peer, reason: .dialFailed, failure: "unexpected outcome", now: now, into: &actions)
            }
            if batchInFlight.remove(id) != nil, batchInFlight.isEmpty {
                continueRound(now: now, into: &actions)
            }
        case .disconnect(let peer, _):
            if case .succeeded = outcome {} else { disconnectFailed(peer, outcome, now: now, into: &actions) }
        case .requestMetadata(let peer, _):
            let result: MetadataResult =
                switch outcome {
                case .metadata(let result): result
                case .succeeded: .received(clusterID: nil, shards: [])
                case .failed(let reason): .failed(reason: reason)
                case .timedOut: .failed(reason: "timed out")
                }
            applyMetadata(peer, result, now: now, into: &actions)
        case .requestDiscovery(_, let shard, _):
            // Whatever the outcome (found some, found none, unsupported by an old host), the
            // shard is asked for again only after the interval: the peers come in with AddPeer.
            discoveryInFlight[shard] = nil
        }
        return true
    }

    /// A disconnect failed. A policy disconnect of a peer still connected is retried at the next
    /// tick, up to ``maxDisconnectAttempts`` attempts, and stays out of the counts meanwhile;
    /// then, or for a client's Disconnect, the peer counts again (policy may decide anew).
    mutating func disconnectFailed(
        _ peer: PeerID, _ outcome: CommandOutcome, now: EngineTime, into actions: inout [EngineAction]
    ) {
        let why =
            switch outcome {
            case .failed(let reason): reason
            case .timedOut: "timed out"
            default: "unexpected outcome"
            }
        guard var entry = policyDisconnects[peer], connections.isConnected(peer) else {
            pendingDisconnects.remove(peer)
            return
        }
        let giveUp = entry.attempts >= Self.maxDisconnectAttempts
        actions.append(
            .decision(
                Decision(
                    .disconnectFailed, peer: peer, current: entry.attempts, target: Self.maxDisconnectAttempts,
                    hostError: why, disconnectReason: entry.reason,
                    detail:
                        "disconnect (\(entry.reason.rawValue)) failed: \(why); attempt "
                        + "\(entry.attempts)/\(Self.maxDisconnectAttempts), "
                        + (giveUp ? "giving up: the peer counts again" : "retrying at the next tick"))))
        if giveUp {
            policyDisconnects[peer] = nil
            pendingDisconnects.remove(peer)
        } else {
            entry.retryDue = true
            policyDisconnects[peer] = entry
        }
    }

    /// A failed dial: one more failure, the time of it, and CannotConnect unless a connection is open.
    ///
    /// - Parameter failure: the host's error text, or the outcome standing for one ("timed out").
    ///   A `dial_failed` decision carries it as ``Decision/hostError``.
    mutating func recordDialFailure(
        _ peer: PeerID, reason: DecisionReason, failure: String, now: EngineTime, into actions: inout [EngineAction]
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
                    hostError: reason == .dialFailed ? failure : nil,
                    detail: "dial failed (\(failure)); failure \(failures)/\(configuration.maxFailedAttempts), \(next)")
            )
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
                        detail: "no result for \(id) after \((command.deadline - command.issued).secondsText)")))
            switch command.command {
            case .dial: commandCompleted(id, .timedOut, now: now, into: &actions)
            case .requestMetadata: commandCompleted(id, .failed(reason: "no answer"), now: now, into: &actions)
            case .disconnect: commandCompleted(id, .failed(reason: "no answer"), now: now, into: &actions)
            case .requestDiscovery: commandCompleted(id, .failed(reason: "no answer"), now: now, into: &actions)
            }
        }
    }
}
