import Foundation

/// One simulated network and how long to watch it: everything a run depends on besides the
/// policy. A scenario file (JSON) sets any of these fields; the rest keep the defaults below.
/// The same file and seed give the same run, event for event.
public struct Scenario: Codable, Sendable, Equatable {
    public var name = "steady"
    public var seed: UInt64 = 1
    /// Virtual peers in the network (not all known to the node: discovery finds them).
    public var peers = 2000
    public var durationSeconds: Double = 3600
    /// How often the metrics sample the host's connections.
    public var sampleSeconds: Double = 10

    // MARK: Shards
    public var clusterID: UInt16 = 1
    /// Shards 0 ..< networkShards exist in the cluster.
    public var networkShards = 8
    /// Relative popularity of each shard when a peer picks its shards (missing: all equal).
    public var shardWeights: [Double] = []
    /// The shards our node subscribes to.
    public var ourShards: [UInt16] = [0, 1, 2, 3, 4, 5, 6, 7]
    /// Each relay peer subscribes to this many distinct shards (uniform in the range).
    public var minShardsPerPeer = 1
    public var maxShardsPerPeer = 3

    // MARK: Kinds of peers
    /// Peers whose ENR has the relay bit; the rest are service-only nodes (store, filter,
    /// lightpush) that never hold a relay slot.
    public var relayFraction = 0.85
    /// Peers of another cluster (metadata says so; their ENR shards are of that cluster).
    public var otherClusterFraction = 0.03

    // MARK: Reachability
    /// Peers that cannot be dialled (NAT, firewall, stale address); they may still dial us.
    public var unreachableFraction = 0.3
    /// Of the unreachable, those whose dial is refused at once; the rest time out.
    public var refusedFraction = 0.4
    /// Dial latency to a reachable peer, seconds (uniform).
    public var dialLatencyMin = 0.05
    public var dialLatencyMax = 0.8
    /// Peers sharing one IP with others, in groups of `colocationGroupSize`.
    public var colocatedFraction = 0.1
    public var colocationGroupSize = 8
    /// Hosts packed into a few subnets (a Sybil renting in one provider); the rest are spread
    /// over the IPv4 space.
    public var concentratedFraction = 0.0
    /// How many subnets (each a /24 in its own /16) hold them.
    public var concentratedSubnets = 4

    // MARK: Identify and metadata
    public var identifyDelayMin = 0.1
    public var identifyDelayMax = 2.0
    /// Peers whose identify never arrives (their relay stream opens after `streamFallbackSeconds`).
    public var identifyNeverFraction = 0.05
    public var streamFallbackSeconds = 5.0
    public var metadataDelayMin = 0.05
    public var metadataDelayMax = 1.0
    /// Peers that never answer the metadata request (it times out).
    public var metadataNeverFraction = 0.02

    // MARK: The host
    /// The host carries out a command after this delay (seconds, uniform).
    public var hostDelayMin = 0.002
    public var hostDelayMax = 0.05
    public var maxConnections = 50

    // MARK: Churn and discovery
    /// Mean online session of a peer, minutes; 0 means no churn (every peer always online).
    public var meanSessionMinutes: Double = 0
    /// Mean offline time between sessions, minutes.
    public var meanOfflineMinutes: Double = 30
    /// Peers discovery reports at start (discv5's first lookups, bootstrap).
    public var bootstrapPeers = 60
    /// Peers discovery reports per minute afterwards (random records, stale ones included).
    public var discoveryPerMinute: Double = 30
    /// Of the discovery reports (bootstrap and afterwards), those that come from a peer-exchange
    /// server rather than discv5 (the peer's origin says which)...
    public var peerExchangeFraction = 0.0
    /// ...and of those, the share the server picks among the concentrated peers (a biased
    /// server feeding its own subnet's peers: an eclipse attempt); the rest are uniform.
    public var peerExchangeBias = 0.0
    /// Inbound connection attempts per minute (random online peers of any reachability).
    public var inboundPerMinute: Double = 3
    /// A discovery request for a shard (peerd's `request_discovery`; nwaku never asks) is
    /// answered after this many seconds (a targeted discv5 lookup)...
    public var discoveryRequestDelaySeconds: Double = 10
    /// ...with up to this many records of the shard's relay peers (at most `wanted` of them,
    /// picked at random among all, online or not, reachable or not: discv5 returns stale records).
    public var discoveryRequestMaxPeers = 16

    // MARK: The application
    /// Static peers the application connects to and protects (stable, reachable relay peers).
    public var protectedPeers = 3
    /// Outbound relay peers counted as "reached" for the time-to-target metric (peerd's default
    /// target at 50 connections; nwaku 2024's own target is 13).
    public var outboundGoal = 10
    /// Gossipsub D_low: a shard with fewer connected peers is short.
    public var shardFloor = 4

    public init() {}

    /// Parses a scenario file: a JSON object whose keys are fields of this type. A key that is not
    /// a field is an error (a typo would otherwise silently run the default).
    public static func load(_ data: Data) throws -> Scenario {
        let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Scenario())) as? [String: Any] ?? [:]
        guard let overrides = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ScenarioError("a scenario file holds one JSON object")
        }
        let unknown = overrides.keys.filter { defaults[$0] == nil }.sorted()
        guard unknown.isEmpty else {
            throw ScenarioError("unknown scenario fields: \(unknown.joined(separator: ", "))")
        }
        let merged = defaults.merging(overrides) { _, override in override }
        let scenario = try JSONDecoder().decode(Scenario.self, from: JSONSerialization.data(withJSONObject: merged))
        try scenario.validate()
        return scenario
    }

    /// Rejects settings the generator cannot honour.
    public func validate() throws {
        func require(_ ok: Bool, _ message: String) throws { if !ok { throw ScenarioError(message) } }
        try require(peers >= 10 && peers <= 1_000_000, "peers must be 10...1000000")
        try require(durationSeconds > 0 && durationSeconds <= 30 * 86_400, "durationSeconds must be in (0, 30 days]")
        try require(sampleSeconds >= 1, "sampleSeconds must be >= 1")
        try require(networkShards >= 1 && networkShards <= 1024, "networkShards must be 1...1024")
        try require(
            shardWeights.isEmpty || shardWeights.count == networkShards, "shardWeights needs networkShards entries")
        try require(ourShards.allSatisfy { Int($0) < networkShards }, "ourShards must be < networkShards")
        try require(
            minShardsPerPeer >= 1 && minShardsPerPeer <= maxShardsPerPeer && maxShardsPerPeer <= networkShards,
            "1 <= minShardsPerPeer <= maxShardsPerPeer <= networkShards")
        for (name, value) in [
            ("relayFraction", relayFraction), ("otherClusterFraction", otherClusterFraction),
            ("unreachableFraction", unreachableFraction), ("refusedFraction", refusedFraction),
            ("colocatedFraction", colocatedFraction), ("identifyNeverFraction", identifyNeverFraction),
            ("metadataNeverFraction", metadataNeverFraction), ("concentratedFraction", concentratedFraction),
            ("peerExchangeFraction", peerExchangeFraction), ("peerExchangeBias", peerExchangeBias),
        ] {
            try require((0...1).contains(value), "\(name) must be in [0, 1]")
        }
        try require(dialLatencyMin >= 0 && dialLatencyMin <= dialLatencyMax, "0 <= dialLatencyMin <= dialLatencyMax")
        try require(identifyDelayMin >= 0 && identifyDelayMin <= identifyDelayMax, "0 <= identifyDelayMin <= Max")
        try require(metadataDelayMin >= 0 && metadataDelayMin <= metadataDelayMax, "0 <= metadataDelayMin <= Max")
        try require(hostDelayMin >= 0 && hostDelayMin <= hostDelayMax, "0 <= hostDelayMin <= hostDelayMax")
        try require(colocationGroupSize >= 2, "colocationGroupSize must be >= 2")
        try require(concentratedSubnets >= 1 && concentratedSubnets <= 64, "concentratedSubnets must be 1...64")
        try require(maxConnections >= 14 && maxConnections <= 10_000, "maxConnections must be 14...10000")
        try require(meanSessionMinutes >= 0 && meanOfflineMinutes >= 0, "churn times must be >= 0")
        try require(discoveryPerMinute >= 0 && inboundPerMinute >= 0, "rates must be >= 0")
        try require(
            discoveryRequestDelaySeconds >= 0 && discoveryRequestDelaySeconds <= 3600,
            "discoveryRequestDelaySeconds must be 0...3600")
        try require(
            discoveryRequestMaxPeers >= 0 && discoveryRequestMaxPeers <= 1000,
            "discoveryRequestMaxPeers must be 0...1000")
        try require(protectedPeers >= 0 && protectedPeers <= peers / 10, "protectedPeers must be 0...peers/10")
        try require(bootstrapPeers >= 0 && bootstrapPeers <= peers, "bootstrapPeers must be 0...peers")
    }
}

/// An invalid scenario file.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
