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
    /// Peers deleted by policy while connected: their remaining events must not re-create them.
    var rejected: Set<PeerID> = []
    /// Metadata rejections waiting for a protected peer's last tag to go.
    var deferredRejections: [PeerID: DecisionReason] = [:]
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

    /// Applies one host event.
    public mutating func handle(_ event: HostEvent, now: EngineTime) -> [EngineAction] {
        var actions: [EngineAction] = []
        switch event {
        case .connectionOpened(let id, let peer, let direction, let address):
            peerJoined(id, peer: peer, direction: direction, address: address, now: now, into: &actions)
        case .connectionClosed(let id):
            connectionClosed(id, now: now, into: &actions)
        case .streamOpened(let peer, let protocolID, let direction):
            stream(peer, protocolID: protocolID, direction: direction, delta: 1, now: now, into: &actions)
        case .streamClosed(let peer, let protocolID, let direction):
            stream(peer, protocolID: protocolID, direction: direction, delta: -1, now: now, into: &actions)
        case .identified(let peer, let info):
            identified(peer, info, now: now, into: &actions)
        case .metadata(let peer, let result):
            applyMetadata(peer, result, now: now, into: &actions)
        case .commandCompleted(let id, let outcome):
            commandCompleted(id, outcome, now: now, into: &actions)
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
        return actions
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
            command: command, deadline: now + timeout + configuration.commandGracePeriod, purpose: purpose)
        actions.append(.command(IssuedCommand(id: id, command: command)))
        return id
    }

    /// Issues a dial to a stored peer.
    @discardableResult
    mutating func dial(
        _ handle: Int32, purpose: DialPurpose, timeout: Duration? = nil, now: EngineTime,
        into actions: inout [EngineAction]
    ) -> CommandID {
        let entry = store.entry(handle)
        let id = issue(
            .dial(peer: entry.id, addresses: entry.addresses, timeout: timeout ?? configuration.dialTimeout),
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
        _ = issue(.disconnect(peer: peer, reason: reason), timeout: configuration.dialTimeout, now: now, into: &actions)
        return true
    }

    /// Deletes a peer from the books and everything that refers to it.
    mutating func deletePeer(_ peer: PeerID) {
        store.remove(peer)
        requestedPeers.remove(peer)
        if serviceSlots.peerCount > 0 { serviceSlots.removeEverywhere(peer) }
        if !deferredRejections.isEmpty { deferredRejections[peer] = nil }
        // Tags only name peers in the store (Protect of an unknown peer is refused).
        if protection.protectedCount > 0 { protection.removeAll(peer) }
        if !connections.peers.isEmpty, let record = connections.peers[peer] {
            rejected.insert(peer)
            // Free its colocation place at once: it is on its way out.
            if record.colocated, let ip = record.ip { colocation.release(peer, ip: ip) }
        }
    }
}
