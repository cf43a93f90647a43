import PeerCore
import PeerIdentity
import Prometheus
import Synchronization

/// Every metric peerd exports, on one Prometheus registry: the single place where metrics are written.
///
/// Create one per process. Counters are driven by decision records (``record(_:)``) and RPC
/// completions (``recordCall(method:code:duration:)``); gauges are set from a snapshot of the
/// engine's state taken just before each scrape (``update(from:)-(MetricsSnapshot)``), so they
/// are exact rather than up to five minutes stale as in nwaku. nwaku's metrics keep their names,
/// labels and HELP text; ours are named `peerd_<subsystem>_<name>_<unit>`.
///
/// ## Bounded label values
/// Every label value is a time series that the registry (and Prometheus) keeps forever, so no
/// label may take an unbounded number of values:
/// - `reason` comes from the closed ``DecisionReason`` enum, `direction` from two values.
/// - `outcome` of `waku_peers_dials` is the host's dial error text (nwaku uses libp2p's error
///   message), which may embed addresses or peer ids: at most ``maxDialOutcomes`` distinct texts
///   are kept, each cut to ``maxLabelLength`` characters; later ones are counted as "other".
/// - `agent` of `waku_connected_peers_per_agent` is what peers say in identify: the
///   ``maxAgents`` most common agents are exported, the rest are summed into "other".
/// - `method` of the RPC metrics should come from the registered methods; as a guard against a
///   caller passing a client's unknown method name, at most ``maxMethods`` distinct values are
///   kept, then "other".
///
/// ## Deliberate differences from nwaku
/// - `waku_service_peers{peerId}` carries the peer id; nwaku puts the slot's first multiaddr there
///   (and crashes on a peer without one). The HELP text is nwaku's.
/// - `waku_total_unique_peers` counts peers that `addPeer` put into the store as new entries
///   (`peer_added` decisions) plus peers imported from storage. nwaku increments it on every
///   `addPeer` call, so each discv5 re-announcement counted again. As in nwaku, a peer that only
///   connected to us (never added) is not counted; a peer pruned and found again counts again: an
///   exact distinct count would need a set of every peer id ever seen, growing without bound.
/// - Gauges whose label values disappear (a protocol no peer lists any more, an agent no longer
///   connected, a freed service slot) are removed rather than left at their last value.
public final class PeerMetrics: Sendable {
    /// Distinct failure texts kept as `outcome` values of `waku_peers_dials` (besides "successful",
    /// "timed out" and "other").
    public static let maxDialOutcomes = 16
    /// Agents exported by `waku_connected_peers_per_agent` before the rest become "other".
    public static let maxAgents = 10
    /// Distinct `method` values kept for the RPC metrics.
    public static let maxMethods = 64
    /// The longest label value taken from outside input (dial errors, agents).
    public static let maxLabelLength = 120
    /// The label value that stands for everything beyond a cap.
    public static let otherLabel = "other"
    /// Buckets of `peerd_rpc_duration_seconds`: a Unix-socket round trip is tens of microseconds,
    /// a call waiting on the engine lock or a slow client a few milliseconds.
    public static let rpcDurationBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1),
    ]

    /// The registry holding every metric; callers may add their own to it.
    public let registry: PrometheusCollectorRegistry

    private let peerStoreSize: Gauge
    private let totalUniquePeers: Gauge
    private let connsInitiatedAPI: Counter
    private let decisions: [DecisionReason: Counter]
    private let relayPeers: (inbound: Gauge, outbound: Gauge)
    private let relayTarget: (inbound: Gauge, outbound: Gauge)
    private let connectedPeers: Gauge
    private let notConnectedPeers: Gauge
    private let outsideBackoffPeers: Gauge
    private let dialsInFlight: Gauge
    private let protectedPeers: Gauge
    private let peerStoreCapacity: Gauge
    private let online: Gauge
    private let connectionStatus: Gauge
    private let hostAttached: Gauge
    private let peersErrors: [String: Counter]
    private let storeExpired: Counter
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var dialOutcomes: [String: Counter] = [:]
        var failureOutcomes = 0
        var uniquePeers = 0
        var connectedPerProtocol = LabeledGauges(Name.connectedPeers, labels: ["direction", "protocol"])
        var streamsPerProtocol = LabeledGauges(Name.streamsPeers, labels: ["direction", "protocol"])
        var connectedPerShard = LabeledGauges(Name.connectedPeersPerShard, labels: ["shard"])
        var connectedPerAgent = LabeledGauges(Name.connectedPeersPerAgent, labels: ["agent"])
        var servicePeers = LabeledGauges(Name.servicePeers, labels: ["protocol", "peerId"])
        var rpcCalls: [RPCCallKey: Counter] = [:]
        var rpcDurations: [String: DurationHistogram] = [:]
        /// The last call's instruments. A client repeats one method, and the server passes the
        /// same String instances for it each time, so comparing them is a pointer check where
        /// the two dictionary lookups hash every character.
        var lastCall: LastCall?
    }

    private struct LastCall {
        var method: String
        var code: String
        var histogram: DurationHistogram
        var counter: Counter
    }

    private struct RPCCallKey: Hashable {
        var method: String
        var code: String
    }

    /// Builds every metric with its HELP text on a new registry.
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func gauge(_ name: Name) -> Gauge { registry.makeGauge(descriptor: name.descriptor) }
        func gauge(_ name: Name, _ labels: [(String, String)]) -> Gauge {
            registry.makeGauge(descriptor: name.descriptor, labels: labels)
        }
        peerStoreSize = gauge(.peerStoreSize)
        totalUniquePeers = gauge(.totalUniquePeers)
        connsInitiatedAPI = registry.makeCounter(
            descriptor: Name.connsInitiated.descriptor, labels: [("source", "api")])
        var decisions: [DecisionReason: Counter] = [:]
        for reason in DecisionReason.allCases {
            decisions[reason] = registry.makeCounter(
                descriptor: Name.decisions.descriptor, labels: [("reason", reason.rawValue)])
        }
        self.decisions = decisions
        relayPeers = (gauge(.relayPeers, [("direction", "in")]), gauge(.relayPeers, [("direction", "out")]))
        relayTarget = (gauge(.relayTarget, [("direction", "in")]), gauge(.relayTarget, [("direction", "out")]))
        connectedPeers = gauge(.connected)
        notConnectedPeers = gauge(.notConnected)
        outsideBackoffPeers = gauge(.outsideBackoff)
        dialsInFlight = gauge(.dialsInFlight)
        protectedPeers = gauge(.protectedPeers)
        peerStoreCapacity = gauge(.storeCapacity)
        online = gauge(.online)
        connectionStatus = gauge(.connectionStatus)
        hostAttached = gauge(.hostAttached)
        peersErrors = Dictionary(
            uniqueKeysWithValues: Self.peersErrorTypes.map {
                ($0, registry.makeCounter(descriptor: Name.peersErrors.descriptor, labels: [("type", $0)]))
            })
        storeExpired = registry.makeCounter(descriptor: Name.storeExpired.descriptor)
        state = Mutex(State())
    }

    // MARK: Counters from decision records

    /// Counts decision records: `peerd_engine_decisions_total{reason}` for every record, and
    /// nwaku's counters for the records they correspond to.
    ///
    /// - `dial_succeeded`: `waku_peers_dials{outcome="successful"}` and
    ///   `waku_node_conns_initiated{source="api"}` (nwaku counts every successful `connectPeer`
    ///   there, and its source is always "api" since `connectToNodes` drops the argument).
    /// - `dial_timed_out`: `waku_peers_dials{outcome="timed out"}`.
    /// - `dial_failed`: `waku_peers_dials{outcome=<the host's error text>}` from
    ///   ``Decision/hostError``, bounded (see the type).
    /// - `peer_added`, `snapshot_imported`: `waku_total_unique_peers`.
    public func record(_ decisions: [Decision]) {
        guard !decisions.isEmpty else { return }
        for decision in decisions {
            self.decisions[decision.reason]?.increment()
        }
        state.withLock { state in
            for decision in decisions {
                switch decision.reason {
                case .dialSucceeded:
                    dialCounter("successful", in: &state).increment()
                    connsInitiatedAPI.increment()
                case .dialTimedOut:
                    dialCounter("timed out", in: &state).increment()
                case .dialFailed:
                    dialCounter(decision.hostError ?? Self.otherLabel, failure: true, in: &state).increment()
                case .peerAdded:
                    state.uniquePeers += 1
                case .snapshotImported:
                    state.uniquePeers += decision.chosen ?? 0
                default:
                    continue
                }
            }
            totalUniquePeers.set(to: Double(state.uniquePeers))
        }
    }

    /// The `type` values of `waku_peers_errors` (nwaku's storage ones): a fixed set, so the
    /// label stays bounded.
    public static let peersErrorTypes = ["storage_failure", "storage_load_failure"]

    /// Counts `count` errors of `type` in `waku_peers_errors{type}` (one of ``peersErrorTypes``;
    /// any other type is ignored).
    public func recordPeersError(type: String, count: Int = 1) {
        guard count > 0 else { return }
        peersErrors[type]?.increment(by: Int64(count))
    }

    /// Counts never-connected peers the peer store file expired (`peerd_store_expired_peers_total`):
    /// at load and by the pass while running.
    public func recordExpiredPeers(_ count: Int) {
        guard count > 0 else { return }
        storeExpired.increment(by: Int64(count))
    }

    /// The counter for an outcome: "successful" and "timed out" always have their own; failure
    /// texts get one each until ``maxDialOutcomes`` of them exist, later ones share "other".
    private func dialCounter(_ outcome: String, failure: Bool = false, in state: inout State) -> Counter {
        let outcome = Self.clipped(outcome)
        if let counter = state.dialOutcomes[outcome] { return counter }
        let label = !failure || state.failureOutcomes < Self.maxDialOutcomes ? outcome : Self.otherLabel
        if let counter = state.dialOutcomes[label] { return counter }
        if failure && label != Self.otherLabel { state.failureOutcomes += 1 }
        let counter = registry.makeCounter(descriptor: Name.dials.descriptor, labels: [("outcome", label)])
        state.dialOutcomes[label] = counter
        return counter
    }

    static func clipped(_ text: String) -> String {
        text.count <= maxLabelLength ? text : String(text.prefix(maxLabelLength))
    }

    // MARK: Gauges from the engine

    /// Sets every gauge from the engine's current state: ``update(from:)-(MetricsSnapshot)`` with
    /// the engine's snapshot. For tests and single-threaded callers; the server takes the snapshot
    /// under its lock and calls ``update(from:)-(MetricsSnapshot)`` after releasing it.
    public func update(from engine: PeerEngine, now: EngineTime) {
        update(from: engine.metricsSnapshot(now: now))
    }

    /// Sets every gauge from a snapshot of the engine; call it just before rendering a scrape.
    ///
    /// - `waku_connected_peers{direction,protocol}`: for each `/vac/waku*` protocol that a stored
    ///   peer lists or a connected peer has a stream of, the connected peers with at least one
    ///   open stream of it, by the direction of their first connection ("In"/"Out"), as nwaku's
    ///   `connectedPeers(proto)` (which counts a peer once per connection; we count it once).
    /// - `waku_streams_peers{direction,protocol}`: open streams of those protocols by stream direction.
    /// - `waku_connected_peers_per_shard{shard}`: for each configured shard (with a configured
    ///   cluster), the connected peers whose ENR or metadata places them on it.
    /// - `waku_connected_peers_per_agent{agent}`: connected peers by identify agent, bounded.
    /// - `waku_service_peers{protocol,peerId}`: 1 for each service slot.
    /// - `waku_peer_store_size` and peerd's engine gauges from ``MetricsSnapshot/statistics``.
    public func update(from snapshot: MetricsSnapshot) {
        let statistics = snapshot.statistics
        peerStoreSize.set(to: Double(statistics.storeSize))
        peerStoreCapacity.set(to: Double(statistics.capacity))
        connectedPeers.set(to: Double(statistics.connectedPeers))
        notConnectedPeers.set(to: Double(statistics.notConnected))
        outsideBackoffPeers.set(to: Double(statistics.outsideBackoff))
        dialsInFlight.set(to: Double(statistics.dialsInFlight))
        protectedPeers.set(to: Double(statistics.protectedPeers))
        online.set(to: statistics.online ? 1 : 0)
        connectionStatus.set(to: Double(statistics.connectionStatus.rawValue))
        relayPeers.inbound.set(to: Double(statistics.inboundRelay))
        relayPeers.outbound.set(to: Double(statistics.outboundRelay))
        relayTarget.inbound.set(to: Double(statistics.targets.inbound))
        relayTarget.outbound.set(to: Double(statistics.targets.outbound))

        // libp2p's `$Direction` texts, which nwaku uses as label values.
        func byDirection(_ counts: [String: MetricsSnapshot.DirectionCounts]) -> [[String]: Double] {
            var values: [[String]: Double] = [:]
            for (protocolID, count) in counts {
                values[["In", protocolID]] = Double(count.inbound)
                values[["Out", protocolID]] = Double(count.outbound)
            }
            return values
        }
        let peersPerProtocol = byDirection(snapshot.peersPerProtocol)
        let streamsPerProtocol = byDirection(snapshot.streamsPerProtocol)

        var perShard: [[String]: Double] = [:]
        for (shard, count) in snapshot.peersPerShard { perShard[["\(shard)"]] = Double(count) }

        var agents: [String: Int] = [:]
        for (agent, count) in snapshot.peersPerAgent { agents[Self.clipped(agent), default: 0] += count }
        let perAgent = Self.topAgents(agents)

        var services: [[String]: Double] = [:]
        for (protocolID, peers) in snapshot.servicePeers {
            for peer in peers { services[[protocolID, peer.description]] = 1 }
        }

        state.withLock { state in
            state.connectedPerProtocol.set(peersPerProtocol, on: registry)
            state.streamsPerProtocol.set(streamsPerProtocol, on: registry)
            state.connectedPerShard.set(perShard, on: registry)
            state.connectedPerAgent.set(perAgent, on: registry)
            state.servicePeers.set(services, on: registry)
        }
    }

    /// The ``maxAgents`` most common agents (ties by name), the rest summed as "other".
    static func topAgents(_ counts: [String: Int]) -> [[String]: Double] {
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var result: [[String]: Double] = [:]
        for (index, (agent, count)) in sorted.enumerated() {
            let label = index < maxAgents ? agent : otherLabel
            result[[label], default: 0] += Double(count)
        }
        return result
    }

    /// Whether a host is attached (`peerd_host_attached`, 0 or 1).
    public func setHostAttached(_ attached: Bool) {
        hostAttached.set(to: attached ? 1 : 0)
    }

    // MARK: RPC

    /// Counts one finished RPC and records its latency.
    ///
    /// - Parameters:
    ///   - method: `/service/Method` from the registered methods (pass a fixed text such as
    ///     "unknown" for an unregistered one: the value becomes a label).
    ///   - code: the gRPC status name, such as "OK" or "DEADLINE_EXCEEDED".
    ///   - duration: from the request's arrival to the response's write.
    public func recordCall(method: String, code: String, duration: Duration) {
        state.withLock { state in
            if let last = state.lastCall, last.method == method, last.code == code {
                last.histogram.record(duration)
                last.counter.increment()
                return
            }
            let calledMethod = method
            let known = state.rpcDurations[method] != nil || state.rpcDurations.count < Self.maxMethods - 1
            let method = known ? method : Self.otherLabel
            let histogram =
                state.rpcDurations[method]
                ?? {
                    let histogram = registry.makeDurationHistogram(
                        descriptor: Name.rpcDuration.descriptor, labels: [("method", method)],
                        buckets: Self.rpcDurationBuckets)
                    state.rpcDurations[method] = histogram
                    return histogram
                }()
            histogram.record(duration)
            let key = RPCCallKey(method: method, code: code)
            let counter =
                state.rpcCalls[key]
                ?? {
                    let counter = registry.makeCounter(
                        descriptor: Name.rpcCalls.descriptor, labels: [("method", method), ("code", code)])
                    state.rpcCalls[key] = counter
                    return counter
                }()
            counter.increment()
            state.lastCall = LastCall(method: calledMethod, code: code, histogram: histogram, counter: counter)
        }
    }

    // MARK: Exposition

    /// Every metric in the Prometheus text format (version 0.0.4).
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

/// A gauge family whose label sets change from one update to the next.
private struct LabeledGauges: ~Copyable {
    let name: Name
    let labelNames: [String]
    private var gauges: [[String]: Gauge] = [:]

    init(_ name: Name, labels: [String]) {
        self.name = name
        self.labelNames = labels
    }

    /// Sets the given label sets and removes the gauges of label sets no longer given.
    mutating func set(_ values: [[String]: Double], on registry: PrometheusCollectorRegistry) {
        for (labels, value) in values {
            let gauge =
                gauges[labels]
                ?? registry.makeGauge(descriptor: name.descriptor, labels: Array(zip(labelNames, labels)))
            gauges[labels] = gauge
            gauge.set(to: value)
        }
        for (labels, gauge) in gauges where values[labels] == nil {
            registry.unregisterGauge(gauge)
            gauges[labels] = nil
        }
    }
}
