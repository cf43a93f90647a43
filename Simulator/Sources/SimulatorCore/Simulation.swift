import PeerCore
import PeerIdentity
import PeerTrace

/// One run: a policy against the virtual network of a scenario, in virtual time.
///
/// The simulation plays the virtual host: it carries out the policy's commands after a delay
/// (dials succeed, are refused or time out as the target peer dictates), opens inbound
/// connections, reports identify, relay streams and metadata late or never, churns peers, and
/// feeds discovery. Everything comes from one event queue ordered by time (ties in insertion
/// order) and from generators seeded by the scenario, so a run replays exactly. The metrics read
/// the host's connections, never the policy's books.
public struct Simulation {
    enum Event {
        case deliver(HostEvent)
        case policyWake(UInt64)
        case execute(SimCommand)
        case dialAnswer(SimCommand, peer: Int, connects: Bool, outcome: CommandOutcome)
        case identify(ConnectionID, peer: Int)
        case relayStream(ConnectionID, peer: Int)
        case metadataAnswer(CommandID, ConnectionID, peer: Int)
        case discovery
        case discoveryAnswer(CommandID, shard: UInt16, wanted: Int)
        case inbound
        case toggle(peer: Int)
        case sample
        /// A replayed trace's external event (TraceReplay.swift).
        case external(Int)
    }

    public let scenario: Scenario
    public let network: VirtualNetwork
    var policy: any SimPolicy
    var queue = EventQueue<Event>()
    var now = EngineTime.epoch
    let end: EngineTime
    var rng: SimRandom
    var churnRNG: SimRandom
    /// Its own stream, so answering discovery requests leaves every other draw as it was.
    var discoveryRNG: SimRandom
    /// Its own stream too: which reports come from peer exchange, and whom a biased server picks.
    var exchangeRNG: SimRandom
    /// The peers in the crowded subnets (what a biased peer-exchange server returns).
    let concentratedPeers: [Int]
    /// The relay peers of our cluster serving each shard (what a targeted lookup can find).
    let relayPeersOfShard: [UInt16: [Int]]

    // The host's connections.
    var online: [Bool]
    var connectionOf: [Int: ConnectionID] = [:]
    var connections: [ConnectionID: (peer: Int, direction: PeerDirection)] = [:]
    var nextConnection: UInt64 = 1
    var wakeToken: UInt64 = 0
    var scheduledWake: EngineTime?

    // Incremental ground truth.
    let ourShardIndex: [UInt16: Int]
    /// Online, reachable, useful relay peers per our shard (connectable if not connected).
    var reachableOnShard: [Int]
    var usefulOutbound = 0
    var usefulInbound = 0

    // Metrics.
    var summary: Summary
    var samples: [Sample] = []
    var outboundRelaySum = 0
    /// Sums of the spread metrics over the samples with outbound relay peers, and their count.
    var spreadSums = (groups: 0.0, largest: 0.0, concentrated: 0.0, samples: 0)
    var shardShort: [Double]
    /// A replayed trace's external events, pushed at their times by ``setUp()``.
    var externals: [(at: Duration, event: TraceNetwork.External)] = []
    /// This run as a host trace, when recording (``recordTrace()``, TraceRecording.swift).
    var recording: TraceRecording?
    /// Why the shards were short (``ShortfallCensus``): the loss that last took each shard's
    /// peers, the loss that began its current episode (nil: not short at the last sample).
    public internal(set) var census = ShortfallCensus()
    var lastLoss: [String]
    var episodeLoss: [String?]

    public init(scenario: Scenario, policy: PolicyKind) throws {
        try self.init(scenario: scenario, policy: policy.make(scenario), network: VirtualNetwork(scenario))
    }

    public init(scenario: Scenario, policy: any SimPolicy, network: VirtualNetwork) {
        self.scenario = scenario
        self.network = network
        self.policy = policy
        end = .epoch + .milliseconds(Int64(scenario.durationSeconds * 1000))
        rng = SimRandom(seed: scenario.seed, stream: 2)
        churnRNG = SimRandom(seed: scenario.seed, stream: 3)
        discoveryRNG = SimRandom(seed: scenario.seed, stream: 4)
        exchangeRNG = SimRandom(seed: scenario.seed, stream: 6)
        concentratedPeers = network.peers.filter { $0.concentrated && !$0.isProtected }.map(\.index)
        var ofShard: [UInt16: [Int]] = [:]
        for peer in network.peers where peer.relay && peer.clusterID == scenario.clusterID {
            for shard in peer.shards { ofShard[shard, default: []].append(peer.index) }
        }
        relayPeersOfShard = ofShard
        var index: [UInt16: Int] = [:]
        for (position, shard) in scenario.ourShards.enumerated() { index[shard] = position }
        ourShardIndex = index
        reachableOnShard = Array(repeating: 0, count: scenario.ourShards.count)
        shardShort = Array(repeating: 0, count: scenario.ourShards.count)
        lastLoss = Array(repeating: "start", count: scenario.ourShards.count)
        episodeLoss = Array(repeating: nil, count: scenario.ourShards.count)
        online = Array(repeating: true, count: network.peers.count)
        summary = Summary(
            scenario: scenario.name, policy: policy.name, seed: scenario.seed, peers: scenario.peers,
            simulatedSeconds: scenario.durationSeconds, secondsToGoal: nil, dials: 0, wastedDials: 0, nonRelayDials: 0,
            peakConnections: 0, maxConnections: scenario.maxConnections, dialsRefusedAtMax: 0, meanOutboundRelay: 0,
            shardSecondsBelowFloor: 0, worstShardSecondsBelowFloor: 0, minShardPeersAtEnd: 0, policyDisconnects: 0,
            protectedEvicted: 0, events: 0)
    }

    /// Runs the scenario to its end.
    public mutating func run() -> SimulationResult {
        setUp()
        while let next = queue.nextTime, next <= end, let (time, event) = queue.pop() {
            now = time
            summary.events += 1
            process(event)
        }
        summary.meanOutboundRelay = samples.isEmpty ? 0 : Double(outboundRelaySum) / Double(samples.count)
        summary.shardSecondsBelowFloor = shardShort.reduce(0, +)
        summary.worstShardSecondsBelowFloor = shardShort.max() ?? 0
        summary.minShardPeersAtEnd = samples.last?.perShard.min() ?? 0
        if spreadSums.samples > 0 {
            let count = Double(spreadSums.samples)
            summary.meanOutboundGroups = spreadSums.groups / count
            summary.meanLargestGroupPercent = spreadSums.largest / count
            summary.meanConcentratedPercent = spreadSums.concentrated / count
        }
        return SimulationResult(summary: summary, samples: samples, census: census)
    }

    // MARK: Set-up

    mutating func setUp() {
        let churn = scenario.meanSessionMinutes > 0
        let onlineShare =
            churn ? scenario.meanSessionMinutes / (scenario.meanSessionMinutes + scenario.meanOfflineMinutes) : 1
        for peer in network.peers {
            let up = peer.isProtected || !churn || churnRNG.chance(onlineShare)
            online[peer.index] = up
            if up { countReachable(peer.index, delta: 1) }
            if churn, !peer.isProtected {
                let mean = (up ? scenario.meanSessionMinutes : scenario.meanOfflineMinutes) * 60
                queue.push(.toggle(peer: peer.index), at: now + seconds(churnRNG.exponential(mean: mean)))
            }
        }
        let staticPeers = network.peers.prefix(scenario.protectedPeers).map(\.info)
        recording?.note(staticPeers: staticPeers)
        send(policy.start(staticPeers: Array(staticPeers), now: now))
        var picked: Set<Int> = []
        while picked.count < min(scenario.bootstrapPeers, network.peers.count - scenario.protectedPeers) {
            let index =
                scenario.protectedPeers + Int(rng.next() % UInt64(network.peers.count - scenario.protectedPeers))
            guard picked.insert(index).inserted else { continue }
            report(index)
        }
        if scenario.discoveryPerMinute > 0 { scheduleNext(.discovery, perMinute: scenario.discoveryPerMinute) }
        if scenario.inboundPerMinute > 0 { scheduleNext(.inbound, perMinute: scenario.inboundPerMinute) }
        queue.push(.sample, at: now + seconds(scenario.sampleSeconds))
        for (index, external) in externals.enumerated() { queue.push(.external(index), at: now + external.at) }
        rescheduleWake()
    }

    /// Reports the peer discovery drew, through discv5, or through peer exchange for
    /// ``Scenario/peerExchangeFraction`` of reports, whose biased server swaps in one of the
    /// concentrated peers for ``Scenario/peerExchangeBias`` of them.
    mutating func report(_ drawn: Int) {
        var index = drawn
        var origin = PeerOrigin.discv5
        if exchangeRNG.chance(scenario.peerExchangeFraction) {
            origin = .peerExchange
            if !concentratedPeers.isEmpty, exchangeRNG.chance(scenario.peerExchangeBias) {
                index = concentratedPeers[Int(exchangeRNG.next() % UInt64(concentratedPeers.count))]
            }
        }
        send(discovered(network.peers[index].info, origin: origin))
    }

    mutating func scheduleNext(_ event: Event, perMinute: Double) {
        queue.push(event, at: now + seconds(rng.exponential(mean: 60 / perMinute)))
    }

    func seconds(_ value: Double) -> Duration { .nanoseconds(Int64((value * 1e9).rounded())) }

    // MARK: The loop

    mutating func process(_ event: Event) {
        switch event {
        case .deliver(let hostEvent):
            send(handled(hostEvent))
        case .policyWake(let token):
            guard token == wakeToken else { return }
            scheduledWake = nil
            send(policy.wake(now: now))
        case .execute(let command):
            execute(command)
        case .dialAnswer(let command, let peer, let connects, let outcome):
            answerDial(command, peer: peer, connects: connects, outcome: outcome)
        case .identify(let connection, let peer):
            guard connections[connection] != nil else { return }
            let virtual = network.peers[peer]
            deliver(.identified(peer: virtual.id, IdentifyInfo(protocols: virtual.protocols, agent: "nwaku-sim")))
        case .relayStream(let connection, let peer):
            guard let open = connections[connection] else { return }
            deliver(.streamOpened(peer: network.peers[peer].id, protocolID: WakuCodec.relay, direction: open.direction))
        case .metadataAnswer(let id, let connection, let peer):
            let virtual = network.peers[peer]
            let outcome: CommandOutcome =
                connections[connection] == nil
                ? .metadata(.failed(reason: "connection closed"))
                : .metadata(.received(clusterID: virtual.clusterID, shards: virtual.shards))
            deliver(.commandCompleted(id, outcome))
        case .discovery:
            report(Int(rng.next() % UInt64(network.peers.count)))
            scheduleNext(.discovery, perMinute: scenario.discoveryPerMinute)
        case .discoveryAnswer(let id, let shard, let wanted):
            answerDiscovery(id, shard: shard, wanted: wanted)
        case .inbound:
            let index = Int(rng.next() % UInt64(network.peers.count))
            // libp2p refuses an inbound connection once max-connections are open.
            if online[index], connectionOf[index] == nil, connections.count < scenario.maxConnections {
                open(index, direction: .inbound)
            }
            scheduleNext(.inbound, perMinute: scenario.inboundPerMinute)
        case .toggle(let peer):
            toggle(peer)
        case .sample:
            takeSample()
            queue.push(.sample, at: now + seconds(scenario.sampleSeconds))
        case .external(let index):
            replay(externals[index].event)
        }
        rescheduleWake()
    }

    /// Hands the policy's commands to the host, each carried out after the host's delay.
    mutating func send(_ commands: [SimCommand]) {
        recording?.note(commands, at: now)
        for command in commands {
            queue.push(.execute(command), at: now + seconds(rng.uniform(scenario.hostDelayMin...scenario.hostDelayMax)))
        }
    }

    /// Reports a host event to the policy now (events of one instant keep their order).
    mutating func deliver(_ event: HostEvent) {
        send(handled(event))
    }

    mutating func rescheduleWake() {
        let wake = max(policy.nextWake(now: now), now)
        guard scheduledWake != wake else { return }
        wakeToken &+= 1
        scheduledWake = wake
        queue.push(.policyWake(wakeToken), at: wake)
    }

    // MARK: Commands

    mutating func execute(_ command: SimCommand) {
        switch command.command {
        case .dial(let peer, _, let timeout, _):
            summary.dials += 1
            guard let index = network.byID[peer] else {
                deliver(.commandCompleted(command.id, .failed(reason: "no such peer")))
                summary.wastedDials += 1
                return
            }
            let virtual = network.peers[index]
            if virtual.reachable, online[index] {
                queue.push(
                    .dialAnswer(command, peer: index, connects: true, outcome: .succeeded),
                    at: now + seconds(virtual.dialLatency))
            } else if virtual.reachable || !virtual.refuses {
                // Offline or filtered: nothing answers until the dial's own timeout.
                queue.push(.dialAnswer(command, peer: index, connects: false, outcome: .timedOut), at: now + timeout)
            } else {
                queue.push(
                    .dialAnswer(command, peer: index, connects: false, outcome: .failed(reason: "connection refused")),
                    at: now + seconds(virtual.dialLatency))
            }
        case .disconnect(let peer, let reason):
            if let index = network.byID[peer], let connection = connectionOf[index] {
                summary.policyDisconnects += 1
                summary.disconnectsByReason[reason.rawValue, default: 0] += 1
                if network.peers[index].isProtected { summary.protectedEvicted += 1 }
                close(connection, loss: reason.rawValue)
            }
            deliver(.commandCompleted(command.id, .succeeded))
        case .requestMetadata(let peer, let timeout):
            guard let index = network.byID[peer], let connection = connectionOf[index] else {
                deliver(.commandCompleted(command.id, .metadata(.failed(reason: "not connected"))))
                return
            }
            if let delay = network.peers[index].metadataDelay {
                queue.push(.metadataAnswer(command.id, connection, peer: index), at: now + seconds(delay))
            } else {
                queue.push(.deliver(.commandCompleted(command.id, .timedOut)), at: now + timeout)
            }
        case .requestDiscovery(let cluster, let shard, let wanted):
            guard cluster == scenario.clusterID else {
                deliver(.commandCompleted(command.id, .failed(reason: "not our cluster")))
                return
            }
            queue.push(
                .discoveryAnswer(command.id, shard: shard, wanted: wanted),
                at: now + seconds(scenario.discoveryRequestDelaySeconds))
        }
    }

    /// A targeted lookup's answer: up to `wanted` (and the scenario's cap) random relay peers of
    /// the shard, each reported as discovery reports peers, then the command's success.
    mutating func answerDiscovery(_ id: CommandID, shard: UInt16, wanted: Int) {
        let serving = relayPeersOfShard[shard] ?? []
        let count = min(wanted, scenario.discoveryRequestMaxPeers, serving.count)
        var picked: Set<Int> = []
        while picked.count < count {
            let index = serving[Int(discoveryRNG.next() % UInt64(serving.count))]
            guard picked.insert(index).inserted else { continue }
            send(discovered(network.peers[index].info))
        }
        summary.discoveryRequests += 1
        summary.discoveredOnRequest += count
        deliver(.commandCompleted(id, .succeeded))
    }

    mutating func answerDial(_ command: SimCommand, peer index: Int, connects: Bool, outcome: CommandOutcome) {
        if connectionOf[index] != nil {
            // libp2p's connect returns the open connection (an inbound one raced the dial).
            summary.wastedDials += 1
            deliver(.commandCompleted(command.id, .succeeded))
            return
        }
        if connects, connections.count >= scenario.maxConnections {
            // libp2p's connection manager shares one semaphore between directions: past
            // max-connections a dial fails (and the policy may back the peer off for it).
            summary.wastedDials += 1
            summary.dialsRefusedAtMax += 1
            deliver(.commandCompleted(command.id, .failed(reason: "too many connections")))
            return
        }
        guard connects, online[index] else {
            summary.wastedDials += 1
            deliver(.commandCompleted(command.id, connects ? .failed(reason: "peer went offline") : outcome))
            return
        }
        if !isUseful(index) { summary.nonRelayDials += 1 }
        open(index, direction: .outbound)
        deliver(.commandCompleted(command.id, .succeeded))
    }

    // MARK: Connections

    func isUseful(_ index: Int) -> Bool {
        network.peers[index].isUsefulRelay(cluster: scenario.clusterID, shards: scenario.ourShards)
    }

    mutating func open(_ index: Int, direction: PeerDirection) {
        let id = ConnectionID(nextConnection)
        nextConnection += 1
        connections[id] = (index, direction)
        connectionOf[index] = id
        summary.peakConnections = max(summary.peakConnections, connections.count)
        let virtual = network.peers[index]
        if isUseful(index) {
            if direction == .outbound { usefulOutbound += 1 } else { usefulInbound += 1 }
            if direction == .outbound, summary.secondsToGoal == nil, usefulOutbound >= scenario.outboundGoal {
                summary.secondsToGoal =
                    Double((now - .epoch).components.seconds)
                    + Double((now - .epoch).components.attoseconds) / 1e18
            }
        }
        deliver(.connectionOpened(id, peer: virtual.id, direction: direction, observedAddress: virtual.address))
        if let delay = virtual.identifyDelay { queue.push(.identify(id, peer: index), at: now + seconds(delay)) }
        if virtual.relay {
            let delay = (virtual.identifyDelay ?? scenario.streamFallbackSeconds) + 0.05
            queue.push(.relayStream(id, peer: index), at: now + seconds(delay))
        }
    }

    mutating func close(_ id: ConnectionID, loss: String) {
        guard let (index, direction) = connections.removeValue(forKey: id) else { return }
        connectionOf[index] = nil
        if isUseful(index) {
            if direction == .outbound { usefulOutbound -= 1 } else { usefulInbound -= 1 }
            for shard in network.peers[index].shards {
                if let position = ourShardIndex[shard] { lastLoss[position] = loss }
            }
        }
        deliver(.connectionClosed(id))
    }

    // MARK: Churn

    mutating func toggle(_ index: Int) {
        online[index].toggle()
        countReachable(index, delta: online[index] ? 1 : -1)
        if !online[index], let connection = connectionOf[index] { close(connection, loss: "offline") }
        let mean = (online[index] ? scenario.meanSessionMinutes : scenario.meanOfflineMinutes) * 60
        queue.push(.toggle(peer: index), at: now + seconds(churnRNG.exponential(mean: mean)))
    }

    mutating func countReachable(_ index: Int, delta: Int) {
        let peer = network.peers[index]
        guard peer.reachable, isUseful(index) else { return }
        for shard in peer.shards { if let position = ourShardIndex[shard] { reachableOnShard[position] += delta } }
    }

    // MARK: Samples

    /// Adds this sample's spread of the outbound relay peers: distinct /16s, the largest /16's
    /// share, the crowded subnets' share.
    mutating func sampleSpread() {
        var perGroup: [UInt32: Int] = [:]
        var total = 0
        var concentrated = 0
        for (index, direction) in connections.values where direction == .outbound && isUseful(index) {
            perGroup[network.peers[index].ip >> 16, default: 0] += 1
            total += 1
            if network.peers[index].concentrated { concentrated += 1 }
        }
        guard total > 0 else { return }
        spreadSums.groups += Double(perGroup.count)
        spreadSums.largest += 100 * Double(perGroup.values.max() ?? 0) / Double(total)
        spreadSums.concentrated += 100 * Double(concentrated) / Double(total)
        spreadSums.samples += 1
    }

    mutating func takeSample() {
        var perShard = Array(repeating: 0, count: scenario.ourShards.count)
        var connectedReachable = Array(repeating: 0, count: scenario.ourShards.count)
        for (index, _) in connections.values where isUseful(index) {
            let peer = network.peers[index]
            for shard in peer.shards {
                guard let position = ourShardIndex[shard] else { continue }
                perShard[position] += 1
                if peer.reachable, online[index] { connectedReachable[position] += 1 }
            }
        }
        let engineCensus = (policy as? PeerdPolicy)?.engine.shardCoverageCensus(now: now)
        for position in perShard.indices {
            guard perShard[position] < scenario.shardFloor, reachableOnShard[position] > connectedReachable[position]
            else {
                episodeLoss[position] = nil
                continue
            }
            shardShort[position] += scenario.sampleSeconds
            let cause = ShortfallCensus.cause(
                engineCensus?[scenario.ourShards[position]], hostCount: perShard[position], floor: scenario.shardFloor,
                atMax: connections.count >= scenario.maxConnections)
            census.seconds[cause.rawValue, default: 0] += scenario.sampleSeconds
            if episodeLoss[position] == nil {
                episodeLoss[position] = lastLoss[position]
                census.episodes[lastLoss[position], default: 0] += 1
            }
            census.episodeSeconds[episodeLoss[position]!, default: 0] += scenario.sampleSeconds
        }
        outboundRelaySum += usefulOutbound
        sampleSpread()
        samples.append(
            Sample(
                seconds: Double((now - .epoch).components.seconds), connections: connections.count,
                outboundRelay: usefulOutbound, inboundRelay: usefulInbound, perShard: perShard, dials: summary.dials,
                wastedDials: summary.wastedDials))
    }
}
