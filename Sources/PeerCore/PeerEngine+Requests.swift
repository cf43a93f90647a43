import PeerIdentity

/// Client requests: the books, connect/disconnect, service slots, protection, reconnection.
extension PeerEngine {
    /// Adds or merges a peer (merge rules in ``PeerStore``); our own id is ignored.
    ///
    /// Re-announcing an unchanged peer (discovery does so every few seconds) yields no decision,
    /// so "peer_added" decisions count unique peers (nwaku's `waku_total_unique_peers` counts calls).
    @discardableResult
    public mutating func addPeer(_ info: PeerInfo, origin: PeerOrigin = .unknown, now: EngineTime) -> [EngineAction] {
        guard info.id != selfID else {
            return [.decision(Decision(.peerIgnoredSelf, peer: info.id, detail: "not managing ourselves"))]
        }
        if let (kind, actual, limit) = configuration.limits.violation(of: info) {
            return [
                .decision(
                    Decision(
                        .peerRefusedLimit, peer: info.id, current: actual, target: limit,
                        detail: "\(actual) \(kind.noun) exceed the limit of \(limit) per peer (\(kind.flag))"))
            ]
        }
        var actions: [EngineAction] = []
        if !store.contains(info.id), !makeRoom(into: &actions) { return actions + [storeFull(info.id)] }
        // A peer deleted while connected is still in the books (see deletePeer): adding it again
        // keeps it, Connected as it is, instead of waiting for its Left to drop it.
        let readded = rejected.remove(info.id) != nil
        let outcome = store.merge(info, origin: origin)
        let decision: Decision? =
            if readded {
                Decision(
                    .peerAdded, peer: info.id, current: store.count, target: store.capacity,
                    detail: "added again from \(origin) while still connected: kept")
            } else {
                switch outcome {
                case .added:
                    Decision(
                        .peerAdded, peer: info.id, current: store.count, target: store.capacity,
                        detail:
                            "new peer from \(origin), \(info.addresses.count) addresses; "
                            + "store \(store.count)/\(store.capacity)")
                case .updated: Decision(.peerUpdated, peer: info.id, detail: "merged from \(origin)")
                case .ignoredStaleENR:
                    Decision(
                        .peerIgnoredStaleENR, peer: info.id, current: Int(clamping: info.enr?.sequence ?? 0),
                        target: Int(clamping: store.record(info.id)?.enr?.sequence ?? 0),
                        detail:
                            "ENR sequence \(info.enr?.sequence ?? 0) is older than stored "
                            + "\(store.record(info.id)?.enr?.sequence ?? 0)")
                case .unchanged, .ignoredSelf: nil
                }
            }
        if let decision { actions.append(.decision(decision)) }
        flushPeerChanges(into: &actions)
        return actions
    }

    /// Deletes a peer from the books (and its slots and tags). A connected peer's connections stay
    /// open, and its record with them (Connected, nothing else) until the last one closes; its
    /// events meanwhile do not bring it back, AddPeer does.
    @discardableResult
    public mutating func removePeer(_ peer: PeerID, now: EngineTime) -> [EngineAction] {
        guard store.contains(peer), !rejected.contains(peer) else { return [] }
        deletePeer(peer)
        var actions: [EngineAction] = [
            .decision(
                Decision(
                    .peerRemoved, peer: peer, current: store.count,
                    detail: rejected.contains(peer)
                        ? "removed on request; connected, so its record goes when its last connection closes"
                        : "removed on request"))
        ]
        flushPeerChanges(into: &actions)
        return actions
    }

    /// Dials a peer now with the addresses it is given (nwaku `connectPeer` dials
    /// `switch.connect(peerId, peer.addrs)`), after merging `info` into the books by the
    /// ``PeerStore`` rules (new peer added; known peer's addresses overwritten when given). A
    /// known peer whose merge is refused as stale (an older ENR) is still dialled at the given
    /// addresses, as nwaku does; without given addresses the stored ones are used. An explicit
    /// request ignores backoff, as in nwaku; a failure still counts.
    public mutating func connect(
        _ info: PeerInfo, origin: PeerOrigin = .unknown, timeout: Duration? = nil, protocolID: String? = nil,
        now: EngineTime
    ) -> [EngineAction] {
        guard info.id != selfID else {
            return [.decision(Decision(.connectRefused, peer: info.id, detail: "cannot dial ourselves"))]
        }
        var actions = addPeer(info, origin: origin, now: now)
        if let refusal = actions.decisions.first(where: { $0.reason == .peerRefusedLimit || $0.reason == .storeFull }) {
            return [.decision(Decision(.connectRefused, peer: info.id, detail: refusal.detail))]
        }
        let given = store.bounded(info.addresses)
        actions += connect(
            info.id, addresses: given.isEmpty ? nil : given, timeout: timeout, protocolID: protocolID, now: now)
        return actions
    }

    /// Dials a stored peer now, at its stored addresses; for `protocolID` when given (the host
    /// connects and opens a stream of it, nwaku `dialPeer(peer, proto)`).
    public mutating func connect(
        _ peer: PeerID, timeout: Duration? = nil, protocolID: String? = nil, now: EngineTime
    ) -> [EngineAction] {
        connect(peer, addresses: nil, timeout: timeout, protocolID: protocolID, now: now)
    }

    /// Dials a stored peer now, at `addresses` when given, else at its stored addresses.
    private mutating func connect(
        _ peer: PeerID, addresses: [Multiaddr]?, timeout: Duration?, protocolID: String?, now: EngineTime
    ) -> [EngineAction] {
        func refuse(_ why: String) -> [EngineAction] {
            [.decision(Decision(.connectRefused, peer: peer, detail: why))]
        }
        if peer == selfID { return refuse("cannot dial ourselves") }
        // Nobody would carry the dial out, and its expiry would count as the peer's failure.
        if hostGone { return refuse("no host attached") }
        guard let handle = store.handle(peer) else { return refuse("unknown peer: add it first") }
        if connections.isConnected(peer) { return refuse("already connected") }
        if let id = dialing[peer] { return refuse("dial \(id) already in flight") }
        let addresses = addresses ?? store.entry(handle).addresses
        if addresses.isEmpty { return refuse("no known address") }
        var actions: [EngineAction] = []
        dial(
            handle, addresses: addresses, purpose: .request, timeout: timeout, protocolID: protocolID, now: now,
            into: &actions)
        actions.append(.decision(Decision(.connectRequested, peer: peer, detail: "dialing on request")))
        return actions
    }

    /// Disconnects a peer on request. Protection does not apply: it only guards against policy.
    public mutating func disconnect(_ peer: PeerID, now: EngineTime) -> [EngineAction] {
        guard connections.isConnected(peer) else { return [] }
        var actions: [EngineAction] = []
        pendingDisconnects.insert(peer)
        _ = issue(
            .disconnect(peer: peer, reason: .disconnectRequested), timeout: configuration.dialTimeout, now: now,
            into: &actions)
        actions.append(.decision(Decision(.disconnectRequested, peer: peer, detail: "disconnecting on request")))
        return actions
    }

    /// Disconnects every connected peer on request (nwaku `disconnectAllPeers`, which the keep-alive
    /// loop calls after a sleep or when every ping failed). Protected peers too: like
    /// ``disconnect(_:now:)`` it is a request, and protection only guards against policy. Peers
    /// already being disconnected are not asked again.
    ///
    /// - Returns: the actions and how many peers are being disconnected.
    public mutating func disconnectAll(now: EngineTime) -> (actions: [EngineAction], count: Int) {
        var actions: [EngineAction] = []
        var count = 0
        for peer in connections.peers.keys.sorted() where !pendingDisconnects.contains(peer) {
            let disconnect = disconnect(peer, now: now)
            if !disconnect.commands.isEmpty { count += 1 }
            actions += disconnect
        }
        return (actions, count)
    }

    /// Adds the peer to the books and to the slots of `protocolID` (nwaku `addServicePeer`).
    /// Relay is refused and not stored; beyond the service target of distinct peers, refused.
    @discardableResult
    public mutating func addServicePeer(_ info: PeerInfo, protocolID: String, now: EngineTime) -> [EngineAction] {
        guard info.id != selfID else {
            return [.decision(Decision(.peerIgnoredSelf, peer: info.id, detail: "not managing ourselves"))]
        }
        if protocolID == WakuCodec.relay {
            return [
                .decision(
                    Decision(
                        .serviceSlotRefusedRelay, peer: info.id,
                        detail: "relay peers are managed by the connectivity loop"))
            ]
        }
        if !serviceSlots.contains(info.id), serviceSlots.peerCount >= serviceSlots.maxPeers {
            return [
                .decision(
                    Decision(
                        .serviceSlotsFull, peer: info.id, current: serviceSlots.peerCount,
                        target: serviceSlots.maxPeers,
                        detail: "service slots hold \(serviceSlots.peerCount)/\(serviceSlots.maxPeers) peers"))
            ]
        }
        var actions = addPeer(info, now: now)
        if let refusal = actions.decisions.first(where: { $0.reason == .peerRefusedLimit || $0.reason == .storeFull }) {
            return [.decision(refusal)]
        }
        if let refusal = serviceSlots.add(
            info.id, for: protocolID, maxPerPeer: configuration.limits.maxProtocolsPerPeer)
        {
            let detail: String
            switch refusal {
            case .full(let maxPeers): detail = "service slots hold \(maxPeers)/\(maxPeers) peers"
            case .tooManyProtocols(let limit):
                detail = "the peer already holds \(limit) slots (\(EngineLimits.Kind.protocolsPerPeer.flag))"
            case .relayProtocol: detail = "relay peers are managed by the connectivity loop"
            }
            return actions + [.decision(Decision(.serviceSlotsFull, peer: info.id, detail: detail))]
        }
        actions.append(
            .decision(
                Decision(
                    .serviceSlotAdded, peer: info.id, current: serviceSlots.peerCount, target: serviceSlots.maxPeers,
                    detail: "slotted for \(protocolID)")))
        return actions
    }

    /// Removes the peer from the slots of `protocolID` (it stays in the books).
    @discardableResult
    public mutating func removeServicePeer(_ peer: PeerID, protocolID: String) -> [EngineAction] {
        guard serviceSlots.remove(peer, for: protocolID) else { return [] }
        return [.decision(Decision(.serviceSlotRemoved, peer: peer, detail: "unslotted from \(protocolID)"))]
    }

    /// Protects a stored peer under `tag` (e.g. "store-request") until the matching
    /// ``unprotect(_:tag:owner:now:)`` or until `owner` is released (``releaseProtections(of:now:)``).
    ///
    /// - Returns: why it was refused (an unknown peer, a tag limit), or `nil`.
    @discardableResult
    public mutating func protect(_ peer: PeerID, tag: String, owner: ProtectionOwner = .engine) -> ProtectionRefusal? {
        guard store.contains(peer), !rejected.contains(peer) else { return .unknownPeer }
        return protection.protect(peer, tag: tag, owner: owner, limits: configuration.limits)
    }

    /// Removes one `tag` from the peer; when it was the last tag, a deferred metadata rejection
    /// is carried out now.
    @discardableResult
    public mutating func unprotect(
        _ peer: PeerID, tag: String, owner: ProtectionOwner = .engine, now: EngineTime
    ) -> [EngineAction] {
        guard protection.unprotect(peer, tag: tag, owner: owner) else { return [] }
        var actions: [EngineAction] = []
        carryOutDeferredRejection(peer, now: now, into: &actions)
        flushPeerChanges(into: &actions)
        return actions
    }

    /// Drops every tag `owner` still holds (its client connection closed); deferred rejections of
    /// peers left unprotected are carried out now.
    @discardableResult
    public mutating func releaseProtections(of owner: ProtectionOwner, now: EngineTime) -> [EngineAction] {
        var actions: [EngineAction] = []
        for peer in protection.release(owner) { carryOutDeferredRejection(peer, now: now, into: &actions) }
        flushPeerChanges(into: &actions)
        return actions
    }

    private mutating func carryOutDeferredRejection(_ peer: PeerID, now: EngineTime, into actions: inout [EngineAction])
    {
        guard let reason = deferredRejections.removeValue(forKey: peer) else { return }
        reject(peer, reason, detail: "deferred verdict now that the peer is unprotected", now: now, into: &actions)
    }

    /// Schedules the reconnection of persisted (`.cache`) relay peers after `backoff` (default
    /// ``EngineConfiguration/reconnectBackoff``); the dials go out from ``tick(now:using:)``.
    @discardableResult
    public mutating func scheduleReconnect(now: EngineTime, after backoff: Duration? = nil) -> [EngineAction] {
        let wait = backoff ?? configuration.reconnectBackoff
        reconnectAt = now + wait
        return [
            .decision(
                Decision(.reconnectScheduled, detail: "persisted relay peers will be redialled in \(wait.secondsText)"))
        ]
    }
}
