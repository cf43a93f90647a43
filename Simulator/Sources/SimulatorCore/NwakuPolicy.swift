import PeerCore
import PeerIdentity

/// nwaku's 2024 peer manager (`waku/node/peer_manager/peer_manager.nim` at the end of 2024, the
/// copy in `shared/reference/nwaku_peer_manager_2024.nim`), bugs included, as a state machine
/// over the same host events peerd gets. What it reproduces, by the seed's code:
///
/// - targets: 80 % of max connections for relay (50 -> 40), out = relay div 3 (13), in = 27;
/// - `relayConnectivityLoop`: prune the first `in - inTarget` inbound relay peers (connection
///   order, no score); when `out < outTarget`, every not-connected peer that `canBeConnected`
///   (any kind, CannotConnect included, not relay- or shard-filtered, bug 7), shuffled, is dialled
///   in batches of `MaxParallelDials` (10); each batch is awaited (10 s timeout) and followed by
///   `connectToNodes`' **5 s sleep**, then `out` is re-read; then the dynamic sleep
///   `max(int(30 s x min(inFactor, outFactor)), 1 s)`;
/// - relay counts are connections with an open relay stream (`connectedPeers(WakuRelayCodec)`);
/// - backoff 120 s x 4^(n-1) in whole wall-clock seconds, never after 5 failures; only our
///   successful dial resets the count;
/// - Joined waits for the metadata exchange: failure, no cluster, another cluster, or a relay
///   peer with no shard in common -> disconnect; then the in-relay cap disconnects the joining
///   peer whatever its direction (bug 6); then colocation evicts and deletes the *oldest* peers
///   of the IP beyond 5 (bug 5);
/// - `prunePeerStore` every 10 min above capacity (5 x max connections): failed peers (connected
///   ones too, bug 3), shardless, then per shard with `avg = min(1, ...)` and the inclusive slice
///   (bugs 1, 2);
/// - no eviction protection (nwaku has none), no online gating (2024).
///
/// Deliberate simplifications: table iteration ("hash order") is insertion order, so runs
/// replay; nim-libp2p's own peer-store cleanup is not modelled; a connection that closes while
/// its metadata exchange is pending skips the rest of its Joined handling.
public struct NwakuPolicy: SimPolicy {
    public let name = PolicyKind.nwaku.rawValue

    enum Connectedness { case notConnected, canConnect, cannotConnect, connected }

    struct Peer {
        var addresses: [Multiaddr]
        var enrShards: RelayShards?
        var protocols: Set<String> = []
        var connectedness = Connectedness.notConnected
        var failedAttempts = 0
        var lastFailedSeconds: Int64 = 0
    }

    struct Connection {
        var peer: PeerID
        var direction: PeerDirection
        var observedIP: String?
        var relayStreams = 0
        /// Joined waits for the metadata exchange (`onPeerMetadata` is awaited first).
        var joined = false
    }

    // Constants of the seed.
    static let maxParallelDials = 10
    static let dialTimeout: Duration = .seconds(10)
    static let batchSleep: Duration = .seconds(5)
    static let loopInterval = 30.0
    static let pruneInterval: Duration = .seconds(600)
    static let initialBackoffSeconds: Int64 = 120
    static let backoffFactor: Int64 = 4
    static let maxFailedAttempts = 5
    static let colocationLimit = 5

    let clusterID: UInt16
    let shards: [UInt16]
    let capacity: Int
    public let outTarget: Int
    public let inTarget: Int

    /// The books, in insertion order (the order nwaku's tables are walked in, here).
    var peers: [PeerID: Peer] = [:]
    var order: [PeerID] = []
    /// Open connections, in the order they opened (the connection manager's order).
    private(set) var connections: [ConnectionID: Connection] = [:]
    private(set) var connectionOrder: [ConnectionID] = []
    private var ipTable: [String: [PeerID]] = [:]
    private var pendingMetadata: [CommandID: ConnectionID] = [:]
    private var nextCommand: UInt64 = 1
    private var rng: SimRandom

    // The connectivity loop's place.
    enum LoopPhase {
        case sleeping(until: EngineTime)
        /// A batch's dials are awaited.
        case awaitingBatch(Set<CommandID>)
        /// `connectToNodes`' 5 s sleep after the batch.
        case batchSleep(until: EngineTime)
    }
    private(set) var phase = LoopPhase.sleeping(until: .epoch)
    private var roundCandidates: [PeerID] = []
    private var roundIndex = 0
    private var roundPending = 0
    private var nextPrune: EngineTime
    /// The static peers' dials (connectToNodes at start), outside the loop.
    private var otherDials: Set<CommandID> = []
    /// The peer of each dial in flight.
    private var dialPeers: [CommandID: PeerID] = [:]

    public init(scenario: Scenario, seed: UInt64) {
        clusterID = scenario.clusterID
        shards = scenario.ourShards
        capacity = scenario.maxConnections * 5
        let maxRelay = scenario.maxConnections - scenario.maxConnections / 5
        outTarget = maxRelay / 3
        inTarget = maxRelay - outTarget
        rng = SimRandom(seed: seed, stream: 77)
        nextPrune = .epoch + Self.pruneInterval
    }

    // MARK: Entry points

    public mutating func start(staticPeers: [PeerInfo], now: EngineTime) -> [SimCommand] {
        var commands: [SimCommand] = []
        for info in staticPeers {
            addPeer(info)
            let id = dial(info.id, into: &commands)
            dialPeers[id] = info.id
            otherDials.insert(id)
        }
        return commands
    }

    public mutating func discovered(_ info: PeerInfo, now: EngineTime) -> [SimCommand] {
        addPeer(info)
        return []
    }

    public mutating func handle(_ event: HostEvent, now: EngineTime) -> [SimCommand] {
        var commands: [SimCommand] = []
        switch event {
        case .connectionOpened(let id, let peer, let direction, let address):
            let first = !connections.values.contains { $0.peer == peer }
            connections[id] = Connection(peer: peer, direction: direction, observedIP: address?.ipAddress)
            connectionOrder.append(id)
            if first {
                // Joined: onPeerMetadata is awaited before the rest of the handler.
                let command = issue(.requestMetadata(peer: peer, timeout: Self.dialTimeout), into: &commands)
                pendingMetadata[command] = id
            }
        case .connectionClosed(let id):
            guard let connection = connections.removeValue(forKey: id) else { break }
            connectionOrder.removeAll { $0 == id }
            if !connections.values.contains(where: { $0.peer == connection.peer }) { left(connection.peer) }
        case .streamOpened(let peer, let protocolID, _), .streamClosed(let peer, let protocolID, _):
            guard protocolID == WakuCodec.relay, let id = connectionID(of: peer) else { break }
            if case .streamOpened = event {
                connections[id]?.relayStreams += 1
            } else {
                let streams = connections[id]?.relayStreams ?? 1
                connections[id]?.relayStreams = max(streams - 1, 0)
            }
        case .identified(let peer, let info):
            // libp2p's identify fills the ProtoBook (a deleted peer comes back without addresses).
            materialise(peer)
            peers[peer]?.protocols = Set(info.protocols)
        case .metadata:
            break
        case .commandCompleted(let id, let outcome):
            completed(id, outcome, now: now, into: &commands)
        case .networkReachability:
            break  // 2024 had no online monitor
        }
        return commands
    }

    public mutating func wake(now: EngineTime) -> [SimCommand] {
        var commands: [SimCommand] = []
        if now >= nextPrune {
            prunePeerStore()
            nextPrune = now + Self.pruneInterval
        }
        switch phase {
        case .sleeping(let until) where now >= until:
            connectToRelayPeers(now: now, into: &commands)
        case .batchSleep(let until) where now >= until:
            continueRound(now: now, into: &commands)
        default:
            break
        }
        return commands
    }

    public func nextWake(now: EngineTime) -> EngineTime {
        switch phase {
        case .sleeping(let until), .batchSleep(let until): min(until, nextPrune)
        case .awaitingBatch: nextPrune
        }
    }

    // MARK: Counts

    /// `connectedPeers(WakuRelayCodec)`: connections with a relay stream, per direction.
    public var relayCounts: (inbound: Int, outbound: Int) {
        var counts = (inbound: 0, outbound: 0)
        for connection in connections.values where connection.relayStreams > 0 {
            if connection.direction == .inbound { counts.inbound += 1 } else { counts.outbound += 1 }
        }
        return counts
    }

    func connectionID(of peer: PeerID) -> ConnectionID? {
        connectionOrder.first { connections[$0]?.peer == peer }
    }

    /// `canBeConnected`: never failed, or fewer than 5 failures and the backoff elapsed (seconds).
    func canBeConnected(_ peer: Peer, now: EngineTime) -> Bool {
        if peer.failedAttempts == 0 { return true }
        if peer.failedAttempts >= Self.maxFailedAttempts { return false }
        var backoff = Self.initialBackoffSeconds
        for _ in 1..<peer.failedAttempts { backoff *= Self.backoffFactor }
        return now.secondsSinceEpoch >= peer.lastFailedSeconds + backoff
    }

    // MARK: The books

    mutating func addPeer(_ info: PeerInfo) {
        guard var peer = peers[info.id] else {
            peers[info.id] = Peer(addresses: info.addresses, enrShards: info.enr?.relayShards)
            order.append(info.id)
            return
        }
        // 2024 merge: addresses overwritten, the ENR set when present.
        peer.addresses = info.addresses
        if let shards = info.enr?.relayShards { peer.enrShards = shards }
        peers[info.id] = peer
    }

    /// An event for a deleted peer writes its books again: a record with no address (bug 4).
    mutating func materialise(_ peer: PeerID) {
        guard peers[peer] == nil else { return }
        peers[peer] = Peer(addresses: [])
        order.append(peer)
    }

    mutating func delete(_ peer: PeerID) {
        guard peers.removeValue(forKey: peer) != nil else { return }
        order.removeAll { $0 == peer }
    }

    mutating func left(_ peer: PeerID) {
        materialise(peer)
        peers[peer]?.connectedness = .canConnect
        for ip in ipTable.keys.sorted() {
            ipTable[ip]?.removeAll { $0 == peer }
            if ipTable[ip]?.isEmpty == true { ipTable[ip] = nil }
        }
    }

    // MARK: Commands

    mutating func issue(_ command: HostCommand, into commands: inout [SimCommand]) -> CommandID {
        let id = CommandID(nextCommand)
        nextCommand += 1
        commands.append(SimCommand(id: id, command: command))
        return id
    }

    mutating func dial(_ peer: PeerID, into commands: inout [SimCommand]) -> CommandID {
        let addresses = peers[peer]?.addresses ?? []
        return issue(.dial(peer: peer, addresses: addresses, timeout: Self.dialTimeout), into: &commands)
    }

    mutating func disconnect(_ peer: PeerID, reason: DecisionReason, into commands: inout [SimCommand]) {
        _ = issue(.disconnect(peer: peer, reason: reason), into: &commands)
    }

    mutating func completed(
        _ id: CommandID, _ outcome: CommandOutcome, now: EngineTime, into commands: inout [SimCommand]
    ) {
        if let connection = pendingMetadata.removeValue(forKey: id) {
            if case .metadata(let result) = outcome {
                metadataAnswered(connection, result, into: &commands)
            } else {
                metadataAnswered(connection, .failed(reason: "timed out"), into: &commands)
            }
            return
        }
        if otherDials.remove(id) != nil {
            dialFinished(id, outcome, now: now)
            return
        }
        guard case .awaitingBatch(var batch) = phase, batch.remove(id) != nil else { return }
        dialFinished(id, outcome, now: now)
        // connectToNodes: allFutures, then its 5 s sleep.
        phase = batch.isEmpty ? .batchSleep(until: now + Self.batchSleep) : .awaitingBatch(batch)
    }

    /// connectPeer's bookkeeping of a dial's outcome.
    mutating func dialFinished(_ id: CommandID, _ outcome: CommandOutcome, now: EngineTime) {
        guard let peer = dialPeers.removeValue(forKey: id) else { return }
        materialise(peer)
        if case .succeeded = outcome {
            peers[peer]?.failedAttempts = 0
        } else {
            peers[peer]?.failedAttempts += 1
            peers[peer]?.lastFailedSeconds = now.secondsSinceEpoch
            peers[peer]?.connectedness = .cannotConnect
        }
    }

    // MARK: Joined

    /// The rest of Joined once `onPeerMetadata` returned.
    mutating func metadataAnswered(_ id: ConnectionID, _ result: MetadataResult, into commands: inout [SimCommand]) {
        guard let connection = connections[id] else { return }  // closed meanwhile (simplification)
        let peer = connection.peer
        materialise(peer)
        var verdict: String?
        switch result {
        case .failed: verdict = "dial failed"
        case .received(nil, _): verdict = "empty cluster-id reported"
        case .received(let cluster?, let theirs):
            if cluster != clusterID {
                verdict = "different clusterId reported"
            } else if peers[peer]?.protocols.contains(WakuCodec.relay) == true,
                !theirs.contains(where: shards.contains)
            {
                verdict = "no shards in common"
            }
        }
        if verdict != nil { disconnect(peer, reason: .metadataFailed, into: &commands) }
        connections[id]?.joined = true
        // Check max allowed in-relay peers (whatever the joining peer's direction).
        if relayCounts.inbound > inTarget, peers[peer]?.protocols.contains(WakuCodec.relay) == true {
            disconnect(peer, reason: .inboundRelayLimit, into: &commands)
        }
        // Max IP colocation: the oldest peers behind the IP go, disconnected and deleted.
        if let ip = connection.observedIP {
            ipTable[ip, default: []].append(peer)
            let behind = ipTable[ip] ?? []
            if behind.count > Self.colocationLimit {
                for old in behind[0..<(behind.count - Self.colocationLimit)] {
                    disconnect(old, reason: .colocationLimit, into: &commands)
                    delete(old)
                }
            }
        }
        peers[peer]?.connectedness = .connected
    }

    // MARK: The connectivity loop

    mutating func connectToRelayPeers(now: EngineTime, into commands: inout [SimCommand]) {
        let (inbound, outbound) = relayCounts
        if inbound > inTarget { pruneInRelayConns(inbound - inTarget, into: &commands) }
        guard outbound < outTarget else {
            sleepDynamically(now: now)
            return
        }
        var candidates = order.filter { id in
            guard let peer = peers[id] else { return false }
            return peer.connectedness != .connected && canBeConnected(peer, now: now)
        }
        candidates.shuffle(using: &rng)
        roundCandidates = candidates
        roundIndex = 0
        roundPending = min(candidates.count, outTarget - outbound)
        continueRound(now: now, into: &commands)
    }

    /// The `while numPendingConnReqs > 0 and outRelayPeers.len < target` loop, one batch a step.
    mutating func continueRound(now: EngineTime, into commands: inout [SimCommand]) {
        guard roundPending > 0, relayCounts.outbound < outTarget else {
            sleepDynamically(now: now)
            return
        }
        let count = min(roundPending, Self.maxParallelDials)
        var batch: Set<CommandID> = []
        for peer in roundCandidates[roundIndex..<(roundIndex + count)] {
            let id = dial(peer, into: &commands)
            dialPeers[id] = peer
            batch.insert(id)
        }
        roundIndex += count
        roundPending -= count
        phase = .awaitingBatch(batch)
    }

    mutating func sleepDynamically(now: EngineTime) {
        let (inbound, outbound) = relayCounts
        let excess = Double(max(inbound - inTarget, 0))
        let inFactor = 1 - min(excess / Double(inTarget), 1)
        let outFactor = min(Double(outbound) / Double(outTarget), 1)
        let seconds = max(Int64(Self.loopInterval * min(inFactor, outFactor)), 1)
        phase = .sleeping(until: now + .seconds(seconds))
    }

    /// The first `amount` inbound relay connections, in connection-manager order.
    mutating func pruneInRelayConns(_ amount: Int, into commands: inout [SimCommand]) {
        let inbound = connectionOrder.compactMap { id -> PeerID? in
            guard let connection = connections[id], connection.direction == .inbound, connection.relayStreams > 0
            else { return nil }
            return connection.peer
        }
        for peer in inbound.prefix(amount) { disconnect(peer, reason: .inboundRelayPruned, into: &commands) }
    }

    // MARK: Pruning the store

    /// `prunePeerStore`, bugs 1-3 included.
    mutating func prunePeerStore() {
        guard order.count > capacity else { return }
        let pruningCount = order.count - capacity
        var toPrune: [PeerID] = []
        var chosen: Set<PeerID> = []
        func take(_ peer: PeerID) {
            if chosen.insert(peer).inserted { toPrune.append(peer) }
        }
        for id in order where (peers[id]?.failedAttempts ?? 0) >= Self.maxFailedAttempts {
            if chosen.count >= pruningCount { break }
            take(id)
        }
        var notConnected = order.filter { peers[$0]?.connectedness != .connected }
        notConnected.shuffle(using: &rng)
        var shardless: [PeerID] = []
        var byShard: [UInt16: [PeerID]] = [:]
        for id in notConnected {
            guard let shards = peers[id]?.enrShards, !shards.shardIDs.isEmpty else {
                shardless.append(id)
                continue
            }
            for shard in shards.shardIDs { byShard[shard, default: []].append(id) }
        }
        for id in shardless {
            if chosen.count >= pruningCount { break }
            take(id)
        }
        let total = byShard.values.reduce(0) { $0 + $1.count }
        let average = min(1, total / max(1, byShard.count))  // bug 1: min, not max
        outer: for shard in byShard.keys.sorted() {
            let list = byShard[shard] ?? []
            let count = max(list.count - average, 0)
            // bug 2: `peers[0 .. count]` is inclusive
            for id in list[0..<min(count + 1, list.count)] {
                if chosen.count >= pruningCount { break outer }
                take(id)
            }
        }
        for id in toPrune { delete(id) }
    }
}
