import PeerIdentity

/// The peer manager as a functional core: the peer books and every policy, with no I/O.
///
/// Feed it host events (``handle(_:now:)``), client requests (``addPeer(_:origin:now:)``,
/// ``connect(_:timeout:now:)``, ``protect(_:tag:)``, ...) and ticks (``tick(now:using:)`` for
/// the connectivity loop, ``prune(now:using:)`` every ``EngineConfiguration/pruneInterval``).
/// Each returns ``EngineAction``s: ``HostCommand``s for the host to carry out (each with a
/// ``CommandID`` whose outcome the host reports back) and ``Decision`` records that say what was
/// decided and why. The engine never reads a clock (time comes in as ``EngineTime``) and never
/// draws its own randomness (a seeded generator replays a run).
///
/// ## Example
/// ```swift
/// var engine = try PeerEngine(configuration: .defaults, selfID: me)
/// var actions = engine.handle(.connectionOpened(conn, peer: p, direction: .inbound, observedAddress: addr), now: now)
/// let step = engine.tick(now: now, using: &rng)   // dials, prunes; call again after step.nextInterval
/// ```
public struct PeerEngine: Sendable {
    /// The configuration; its network (cluster, shards) may be adopted from the host's hello.
    public internal(set) var configuration: EngineConfiguration
    /// The host's own peer id (set when the host attaches); never added as a peer.
    public internal(set) var selfID: PeerID
    /// Relay/service targets derived from the configuration.
    public let targets: RelayTargets
    let backoff: Backoff

    /// The peer books (read-only outside the engine).
    public internal(set) var store: PeerStore
    /// The service slots.
    public internal(set) var serviceSlots: ServiceSlots
    /// The eviction-protection tags.
    public internal(set) var protection = EvictionProtection()
    /// The colocation table.
    public internal(set) var colocation: ColocationLimit

    var connections = ConnectionTable()

    enum DialPurpose: Sendable, Hashable { case connectivity, request, reconnect }
    struct PendingCommand: Sendable {
        var command: HostCommand
        var deadline: EngineTime
        var purpose: DialPurpose?
        /// When it was issued: an expiry says how long it went unanswered, not an absolute time.
        var issued: EngineTime
    }
    var pending: [CommandID: PendingCommand] = [:]
    var dialing: [PeerID: CommandID] = [:]
    /// The in-flight connectivity batch; no new batch starts while it is non-empty.
    var batchInFlight: Set<CommandID> = []
    /// The rest of this round's shuffled dial candidates (nwaku re-checks after each batch).
    var dialQueue: [PeerID] = []
    /// Peers last dialled because a client asked (Connect): never pruned as a relay surplus,
    /// like nwaku's static nodes (nwaku never prunes outbound peers). A subset of the store.
    var requestedPeers: Set<PeerID> = []
    /// Peers we asked the host to disconnect; they no longer count toward targets.
    var pendingDisconnects: Set<PeerID> = []
    /// Peers deleted (by policy or on request) while connected: their record stays, stripped of
    /// what selection and the targets read, until their last connection closes, when it goes.
    /// Their other events are ignored, so nothing re-creates or re-admits them meanwhile.
    var rejected: Set<PeerID> = []
    /// Policy disconnects in progress: a failed one is retried at the next tick, up to
    /// ``maxDisconnectAttempts`` attempts, since nothing else would ask again (a colocation or
    /// metadata verdict is made once, at join).
    var policyDisconnects: [PeerID: PolicyDisconnect] = [:]
    struct PolicyDisconnect: Sendable {
        var reason: DecisionReason
        var attempts: Int
        var retryDue = false
    }
    /// Attempts of one policy disconnect before the engine gives up (the peer then counts again).
    static let maxDisconnectAttempts = 3
    /// A host attached and went away, and none has attached since: a command would never be
    /// carried out, so client dials are refused instead of expiring as failures. (False before
    /// any host attached: a library user drives the engine without one.)
    var hostGone = false
    /// When each subscribed shard was last the subject of a discovery request (the rate limit,
    /// ``EngineConfiguration/discoveryRequestInterval``).
    var lastDiscoveryRequest: [UInt16: EngineTime] = [:]
    /// Discovery requests the host has not answered yet, per shard: never two at once.
    var discoveryInFlight: [UInt16: CommandID] = [:]
    /// Metadata rejections waiting for a protected peer's last tag to go.
    var deferredRejections: [PeerID: DecisionReason] = [:]
    /// Peers cut for a reason with a cool-down (``EngineConfiguration/reasonCooldowns``).
    public internal(set) var cooldowns = ReconnectCooldowns()
    var nextCommandID: UInt64 = 1
    /// Draws for evictions at insert (``makeRoom(into:)``), which have no caller's generator;
    /// a fixed seed keeps runs replayable.
    var evictionRandom = EngineRandom(seed: (0x5EED, 0xE71C, 0x7105, 0xCAFE))
    var hostOnline = true
    /// When the next connectivity round is due: set when a round settles (its last dial
    /// reported), from the counts it left, as nwaku computes its sleep after awaiting the dials.
    var nextRoundAt: EngineTime?
    /// Rounds whose dials have all reported; the server wakes its loop when this changes.
    public internal(set) var roundsSettled: UInt64 = 0
    /// A subscribed shard was below the floor at the last step and dials for it were in flight:
    /// the loop runs at its shortest interval (``nextInterval(now:)``).
    var coverageWanted = false
    /// When persisted (`.cache`) peers are to be redialled.
    public internal(set) var reconnectAt: EngineTime?

    /// Creates an engine with an empty store.
    ///
    /// - Throws: ``ConfigurationError`` with every invalid setting.
    public init(configuration: EngineConfiguration, selfID: PeerID) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.selfID = selfID
        // validate() proved the ratio parses.
        targets = RelayTargets(
            maxConnections: configuration.maxConnections, ratio: RelayServiceRatio(configuration.relayServiceRatio)!)
        backoff = configuration.backoff
        store = PeerStore(
            capacity: configuration.effectiveCapacity, maxFailedAttempts: configuration.maxFailedAttempts,
            limits: configuration.limits)
        serviceSlots = ServiceSlots(maxPeers: targets.service)
        colocation = ColocationLimit(limit: configuration.colocationLimit)
    }

    /// Online means at least one open connection, or the host says the network is reachable.
    /// While offline the engine issues no policy dials, so failures do not push every peer into
    /// backoff (nwaku #3076).
    public var isOnline: Bool { hostOnline || !connections.peers.isEmpty }

    /// What became of one host event.
    public struct HandledEvent: Sendable {
        public var actions: [EngineAction]
        /// `false` when the event was ignored: it names a connection, peer or command the engine
        /// does not know (or no longer does), our own id, a connection id already open, or a
        /// connection over the tracking limit. Hosts see the count (`ReportEventsResponse.ignored`).
        public var applied: Bool
    }

    /// Applies one host event.
    public mutating func handle(_ event: HostEvent, now: EngineTime) -> [EngineAction] {
        apply(event, now: now).actions
    }

    /// Applies one host event and says whether it was applied or ignored.
    public mutating func apply(_ event: HostEvent, now: EngineTime) -> HandledEvent {
        var actions: [EngineAction] = []
        var applied = true
        switch event {
        case .connectionOpened(let id, let peer, let direction, let address):
            applied = peerJoined(id, peer: peer, direction: direction, address: address, now: now, into: &actions)
        case .connectionClosed(let id):
            applied = connectionClosed(id, now: now, into: &actions)
        case .streamOpened(let peer, let protocolID, let direction):
            applied = stream(peer, protocolID: protocolID, direction: direction, delta: 1, now: now, into: &actions)
        case .streamClosed(let peer, let protocolID, let direction):
            applied = stream(peer, protocolID: protocolID, direction: direction, delta: -1, now: now, into: &actions)
        case .identified(let peer, let info):
            applied = identified(peer, info, now: now, into: &actions)
        case .metadata(let peer, let result):
            applied = applyMetadata(peer, result, now: now, into: &actions)
        case .commandCompleted(let id, let outcome):
            applied = commandCompleted(id, outcome, now: now, into: &actions)
        case .networkReachability(let online):
            if online != hostOnline {
                hostOnline = online
                actions.append(
                    .decision(
                        Decision(
                            .reachabilityChanged, current: connections.peers.count,
                            detail:
                                "host reports \(online ? "online" : "offline"); "
                                + "engine \(isOnline ? "online" : "offline")"
                        )))
            }
        }
        flushPeerChanges(into: &actions)
        return HandledEvent(actions: actions, applied: applied)
    }

    /// Moves the books' changes since the last call into `actions` (as Watch peer events). Every
    /// public entry point that can change the store or the connections ends with this.
    mutating func flushPeerChanges(into actions: inout [EngineAction]) {
        guard !store.changes.isEmpty else { return }
        actions.reserveCapacity(actions.count + store.changes.count)
        for change in store.changes { actions.append(.peerChange(change)) }
        store.changes.removeAll(keepingCapacity: store.changes.count <= 1024)
    }

    /// Whether policy may dial the peer now, and the earliest time it may (`nil`: never).
    ///
    /// An unknown peer has no failures and may be dialled.
    public func canBeConnected(_ peer: PeerID, now: EngineTime) -> (allowed: Bool, earliest: EngineTime?) {
        guard let handle = store.handle(peer) else { return (true, now) }
        let entry = store.entry(handle)
        let earliest = backoff.earliestDial(failures: Int(entry.failedAttempts), lastFailure: entry.lastFailedAttempt)
        return (earliest.map { now >= $0 } ?? false, earliest)
    }

    // MARK: Shared helpers

    mutating func issue(
        _ command: HostCommand, timeout: Duration, purpose: DialPurpose? = nil, now: EngineTime,
        into actions: inout [EngineAction]
    ) -> CommandID {
        let id = CommandID(nextCommandID)
        nextCommandID += 1
        pending[id] = PendingCommand(
            command: command, deadline: now + timeout + configuration.commandGracePeriod, purpose: purpose,
            issued: now)
        actions.append(.command(IssuedCommand(id: id, command: command)))
        return id
    }

    /// Issues a dial to a stored peer, at `addresses` when given (a Connect request's), else at its
    /// stored addresses.
    @discardableResult
    mutating func dial(
        _ handle: Int32, addresses: [Multiaddr]? = nil, purpose: DialPurpose, timeout: Duration? = nil,
        protocolID: String? = nil, now: EngineTime, into actions: inout [EngineAction]
    ) -> CommandID {
        let entry = store.entry(handle)
        let id = issue(
            .dial(
                peer: entry.id, addresses: addresses ?? entry.addresses, timeout: timeout ?? configuration.dialTimeout,
                protocolID: protocolID),
            timeout: timeout ?? configuration.dialTimeout, purpose: purpose, now: now, into: &actions)
        dialing[entry.id] = id
        if purpose == .connectivity { batchInFlight.insert(id) }
        if purpose == .request { requestedPeers.insert(entry.id) } else { requestedPeers.remove(entry.id) }
        return id
    }

    /// Disconnects a peer for a policy reason unless it is protected; returns whether it did.
    @discardableResult
    mutating func policyDisconnect(
        _ peer: PeerID, reason: DecisionReason, now: EngineTime, into actions: inout [EngineAction]
    ) -> Bool {
        if protection.isProtected(peer) {
            actions.append(
                .decision(
                    Decision(
                        .evictionSkippedProtected, peer: peer,
                        detail:
                            "not disconnecting (\(reason.rawValue)): "
                            + "protected by \(protection.tags(of: peer).keys.sorted())"
                    )))
            return false
        }
        guard connections.isConnected(peer), !pendingDisconnects.contains(peer) else { return true }
        pendingDisconnects.insert(peer)
        policyDisconnects[peer] = PolicyDisconnect(reason: reason, attempts: 1)
        _ = issue(.disconnect(peer: peer, reason: reason), timeout: configuration.dialTimeout, now: now, into: &actions)
        return true
    }

    /// Deletes a peer from the books and everything that refers to it.
    ///
    /// A connected peer's record outlives the deletion until its last connection closes
    /// (``rejected``): the connection is real, so it keeps its colocation place, Disconnect still
    /// reaches it and AddPeer cannot re-create it as NotConnected. Meanwhile the record keeps only
    /// its connection: no protocols, ENR or shards, so it is never selected and never counts as
    /// relay.
    mutating func deletePeer(_ peer: PeerID) {
        requestedPeers.remove(peer)
        if serviceSlots.peerCount > 0 { serviceSlots.removeEverywhere(peer) }
        if !deferredRejections.isEmpty { deferredRejections[peer] = nil }
        // Tags only name peers in the store (Protect of an unknown or deleted peer is refused).
        if protection.protectedCount > 0 { protection.removeAll(peer) }
        guard !connections.peers.isEmpty, connections.isConnected(peer), let handle = store.handle(peer) else {
            store.remove(peer)
            return
        }
        rejected.insert(peer)
        store.update(handle) { entry in
            entry.protocols = []
            entry.enr = nil
            entry.metadataShards = nil
            entry.relayStreams = 0
        }
    }

    /// Retries the failed policy disconnects that are due (from ``tick(now:using:)``).
    mutating func retryDisconnects(now: EngineTime, into actions: inout [EngineAction]) {
        guard !policyDisconnects.isEmpty else { return }
        for peer in policyDisconnects.keys.sorted() {
            guard var entry = policyDisconnects[peer], entry.retryDue else { continue }
            guard connections.isConnected(peer), !protection.isProtected(peer) else {
                policyDisconnects[peer] = nil
                pendingDisconnects.remove(peer)
                continue
            }
            entry.attempts += 1
            entry.retryDue = false
            policyDisconnects[peer] = entry
            _ = issue(
                .disconnect(peer: peer, reason: entry.reason), timeout: configuration.dialTimeout, now: now,
                into: &actions)
        }
    }
}
