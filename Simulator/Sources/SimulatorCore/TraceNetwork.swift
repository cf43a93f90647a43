import PeerCore
import PeerIdentity
import PeerTrace

/// A virtual network rebuilt from a recorded host trace (`peerd --record-host-trace`), and the
/// external events to replay at their recorded times.
///
/// Replay cannot re-send the recorded dial outcomes verbatim (another policy dials other peers),
/// so every peer the trace saw (added, dialled, connected) becomes a ``VirtualPeer`` whose
/// behaviour is learnt from the trace:
/// - addresses: the first recorded (AddPeer, dial, identify, observed address);
/// - cluster and shards: its ENR's `rs`/`rsv`, else its metadata answer, else the trace's
///   cluster with no shard;
/// - relay: its ENR's `waku2` relay bit or `/vac/waku/relay` among its protocols (AddPeer,
///   identify, a relay stream);
/// - reachability: reachable if a recorded dial succeeded or it connected inbound; unreachable if
///   every recorded dial failed (refused when the last failure was a failure, silent when it timed
///   out); never dialled: drawn with the trace's observed dial success rate and the seed;
/// - latency: the mean recorded time from dial to success, else the scenario's range;
/// - identify and metadata delays: recorded from connection open to identify and from request to
///   answer, else the scenario's ranges;
/// - online periods: a peer is online from the start; when the remote closes its last
///   connection it goes offline (its connection in the replay closes, dials to it time out)
///   until its next recorded connection, inbound or dialled.
///
/// External events (what the host saw that no policy causes) happen at their recorded times:
/// AddPeer as discovery with its recorded origin, the first AddPeer of a `static` peer as the
/// application's static peer (the policy's `start(staticPeers:)`: dialled at once and, where the
/// policy can, protected, as the recorded node did), inbound connections (opened if the peer is free and the host below its
/// maximum), peers leaving (the remote closed its last connection) and coming back, and
/// reachability changes.
public struct TraceNetwork: Sendable {
    /// What happens at a recorded time regardless of the policy.
    public enum External: Sendable, Hashable {
        case discovered(peer: Int, PeerInfo, origin: PeerOrigin)
        /// The application's static peer, given to the policy as at its start: nwaku dials static
        /// peers at once, outside its connectivity loop, so replaying one as discovered delays
        /// the first connections by a loop round (time to the outbound goal 15.6 s recorded,
        /// 37.3 s replayed, before this case).
        case staticPeer(peer: Int, PeerInfo)
        case inbound(peer: Int)
        /// The remote closed its connection: it goes offline until its next recorded connection.
        case remoteClose(peer: Int)
        /// A peer that left connected again (inbound or dialled) at this time: online again.
        case back(peer: Int)
        case reachability(online: Bool)
    }

    public var scenario: Scenario
    public var network: VirtualNetwork
    public var externals: [(at: Duration, event: External)]
    /// What was learnt, for the report and the tests: peers by recorded behaviour.
    public var dialledReachable: Set<PeerID> = []
    public var dialledUnreachable: Set<PeerID> = []

    private struct Learnt {
        var id: PeerID
        var address: Multiaddr?
        var enr: PeerENRInfo?
        var metadata: (UInt16?, [UInt16])?
        var relay = false
        var succeeded = 0
        var failed = 0
        var timedOut = 0
        var lastFailureRefused = false
        var inbound = false
        /// Added with origin `static` (the application's peer): protected, as the scenarios'.
        var isStatic = false
        var latencies: [Double] = []
        var identifyDelays: [Double] = []
        var metadataDelays: [Double] = []
    }

    /// Builds the network of `trace`; `seed` draws what the trace does not say.
    public init(trace: HostTrace, seed: UInt64 = 1, name: String = "replay") {
        var learnt: [Learnt] = []
        var index: [PeerID: Int] = [:]
        func peer(_ id: PeerID) -> Int {
            if let known = index[id] { return known }
            index[id] = learnt.count
            learnt.append(Learnt(id: id))
            return learnt.count - 1
        }
        func seconds(_ milliseconds: Int64) -> Double { Double(milliseconds) / 1000 }
        var clusterID = trace.header.clusterID
        var shards = trace.header.shards
        var dials: [CommandID: (peer: Int, at: Int64)] = [:]
        var metadataRequests: [CommandID: (peer: Int, at: Int64)] = [:]
        var connections: [ConnectionID: (peer: Int, at: Int64)] = [:]
        var disconnecting: Set<Int> = []
        /// Peers whose last connection the remote closed, until they connect again.
        var away: Set<Int> = []
        var externals: [(at: Duration, event: External)] = []
        var last: Int64 = 0
        for entry in trace.entries {
            let at = entry.milliseconds
            last = max(last, at)
            switch entry.record {
            case .session(.attached(_, _, let cluster, let helloShards, _, _)):
                clusterID = clusterID ?? cluster
                if shards.isEmpty { shards = helloShards }
            case .session(.detached), .gap: break
            case .peerAdded(let info, let origin):
                let n = peer(info.id)
                learnt[n].address = learnt[n].address ?? info.addresses.first
                learnt[n].enr = info.enr ?? learnt[n].enr
                if info.protocols.contains(WakuCodec.relay) || info.enr?.capabilities.contains(.relay) == true {
                    learnt[n].relay = true
                }
                if origin == .static, !learnt[n].isStatic {
                    learnt[n].isStatic = true
                    externals.append((.milliseconds(at), .staticPeer(peer: n, info)))
                } else {
                    externals.append((.milliseconds(at), .discovered(peer: n, info, origin: origin)))
                }
            case .command(let issued):
                switch issued.command {
                case .dial(let id, let addresses, _, _):
                    let n = peer(id)
                    learnt[n].address = learnt[n].address ?? addresses.first
                    dials[issued.id] = (n, at)
                case .requestMetadata(let id, _): metadataRequests[issued.id] = (peer(id), at)
                case .disconnect(let id, _): disconnecting.insert(peer(id))
                case .requestDiscovery: break
                }
            case .event(let event):
                switch event {
                case .connectionOpened(let connection, let id, let direction, let observed):
                    let n = peer(id)
                    learnt[n].address = learnt[n].address ?? observed
                    connections[connection] = (n, at)
                    if away.remove(n) != nil { externals.append((.milliseconds(at), .back(peer: n))) }
                    if direction == .inbound {
                        learnt[n].inbound = true
                        externals.append((.milliseconds(at), .inbound(peer: n)))
                    }
                case .connectionClosed(let connection):
                    guard let (n, _) = connections.removeValue(forKey: connection) else { break }
                    if disconnecting.remove(n) == nil, !connections.values.contains(where: { $0.peer == n }) {
                        away.insert(n)
                        externals.append((.milliseconds(at), .remoteClose(peer: n)))
                    }
                case .streamOpened(let id, let protocolID, _):
                    if protocolID == WakuCodec.relay { learnt[peer(id)].relay = true }
                case .streamClosed: break
                case .identified(let id, let info):
                    let n = peer(id)
                    if info.protocols.contains(WakuCodec.relay) { learnt[n].relay = true }
                    learnt[n].address = learnt[n].address ?? info.listenAddresses.first
                    if let opened = connections.values.first(where: { $0.peer == n }) {
                        learnt[n].identifyDelays.append(seconds(at - opened.at))
                    }
                case .metadata(let id, .received(let cluster, let metadataShards)):
                    learnt[peer(id)].metadata = (cluster, metadataShards)
                case .metadata: break
                case .commandCompleted(let command, let outcome):
                    if let (n, dialled) = dials.removeValue(forKey: command) {
                        switch outcome {
                        case .succeeded:
                            learnt[n].succeeded += 1
                            learnt[n].latencies.append(seconds(at - dialled))
                        case .timedOut: learnt[n].timedOut += 1; learnt[n].lastFailureRefused = false
                        case .failed, .metadata: learnt[n].failed += 1; learnt[n].lastFailureRefused = true
                        }
                    } else if let (n, requested) = metadataRequests.removeValue(forKey: command),
                        case .metadata(.received(let cluster, let metadataShards)) = outcome
                    {
                        learnt[n].metadata = (cluster, metadataShards)
                        learnt[n].metadataDelays.append(seconds(at - requested))
                    }
                case .networkReachability(let online):
                    externals.append((.milliseconds(at), .reachability(online: online)))
                }
            }
        }
        var scenario = Scenario()
        scenario.name = name
        scenario.seed = seed
        scenario.peers = learnt.count
        scenario.durationSeconds = max(1, seconds(last) + 1)
        scenario.clusterID = clusterID ?? 1
        scenario.ourShards = shards
        scenario.maxConnections = max(1, trace.header.maxConnections)
        scenario.protectedPeers = 0
        scenario.bootstrapPeers = 0
        scenario.discoveryPerMinute = 0
        scenario.inboundPerMinute = 0
        scenario.meanSessionMinutes = 0
        scenario.outboundGoal = min(scenario.outboundGoal, max(1, scenario.maxConnections / 5))
        // The trace's own success rate decides peers it never dialled.
        let succeeded = learnt.count { $0.succeeded > 0 }
        let dialled = learnt.count { $0.succeeded + $0.failed + $0.timedOut > 0 }
        let successRate = dialled == 0 ? 1 - scenario.unreachableFraction : Double(succeeded) / Double(dialled)
        var rng = SimRandom(seed: seed, stream: 5)
        var peers: [VirtualPeer] = []
        var reachableSet: Set<PeerID> = []
        var unreachableSet: Set<PeerID> = []
        for (n, peer) in learnt.enumerated() {
            let recordedReachable = peer.succeeded > 0 || peer.inbound
            let recordedUnreachable = !recordedReachable && peer.failed + peer.timedOut > 0
            let reachable = recordedReachable || (!recordedUnreachable && rng.chance(successRate))
            if recordedReachable { reachableSet.insert(peer.id) }
            if recordedUnreachable { unreachableSet.insert(peer.id) }
            let shardsOfPeer =
                peer.enr?.relayShards.map { ($0.clusterID, $0.shardIDs) }
                ?? peer.metadata.map { ($0.0 ?? scenario.clusterID, $0.1) } ?? (scenario.clusterID, [])
            let address = peer.address ?? VirtualNetwork.address(0x0B00_0000 &+ UInt32(n))
            let latency =
                peer.latencies.isEmpty
                ? rng.uniform(scenario.dialLatencyMin...scenario.dialLatencyMax)
                : peer.latencies.reduce(0, +) / Double(peer.latencies.count)
            let identify =
                peer.identifyDelays.first ?? rng.uniform(scenario.identifyDelayMin...scenario.identifyDelayMax)
            let metadata =
                peer.metadataDelays.first ?? rng.uniform(scenario.metadataDelayMin...scenario.metadataDelayMax)
            peers.append(
                VirtualPeer(
                    index: n, id: peer.id, address: address, ip: Self.ip(address) ?? (0x0B00_0000 &+ UInt32(n)),
                    concentrated: false,
                    clusterID: shardsOfPeer.0, shards: shardsOfPeer.1.sorted(), relay: peer.relay, reachable: reachable,
                    refuses: recordedUnreachable ? peer.lastFailureRefused : rng.chance(scenario.refusedFraction),
                    dialLatency: latency, identifyDelay: identify, metadataDelay: metadata, isProtected: peer.isStatic))
        }
        self.scenario = scenario
        self.network = VirtualNetwork(peers: peers)
        self.externals = externals
        self.dialledReachable = reachableSet
        self.dialledUnreachable = unreachableSet
    }

    /// The IPv4 address of a multiaddr, as the colocation model counts it.
    static func ip(_ address: Multiaddr) -> UInt32? {
        for component in address.components {
            if case .ip4(let ip) = component {
                return ip.bytes.reduce(0) { $0 << 8 | UInt32($1) }
            }
        }
        return nil
    }
}

extension VirtualNetwork {
    /// A network of given peers (a replayed trace's); `peers[i].index` must be `i`.
    init(peers: [VirtualPeer]) {
        self.peers = peers
        var byID: [PeerID: Int] = [:]
        for peer in peers { byID[peer.id] = peer.index }
        self.byID = byID
    }
}
