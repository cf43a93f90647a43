/// One sample of the host's connections (the ground truth, whatever the policy believes).
public struct Sample: Sendable, Equatable {
    public var seconds: Double
    public var connections: Int
    /// Connections to relay peers of our cluster on at least one of our shards, by direction.
    public var outboundRelay: Int
    public var inboundRelay: Int
    /// Connected relay peers of our cluster per subscribed shard (ours, in order).
    public var perShard: [Int]
    public var dials: Int
    public var wastedDials: Int
}

/// What one run of one policy on one scenario measured.
public struct Summary: Sendable, Equatable {
    public var scenario: String
    public var policy: String
    public var seed: UInt64
    public var peers: Int
    public var simulatedSeconds: Double
    /// When the outbound relay connections first reached ``Scenario/outboundGoal`` (nil: never).
    public var secondsToGoal: Double?
    /// Dial commands the host received.
    public var dials: Int
    /// Dials that opened no connection: unreachable, offline, refused, timed out, or already connected.
    public var wastedDials: Int
    /// Dials that connected to a peer that can hold no relay slot (service-only, other cluster, off our shards).
    public var nonRelayDials: Int
    public var peakConnections: Int
    public var maxConnections: Int
    /// Dials the host refused because max-connections were open (the host enforces the limit as
    /// libp2p does, so ``peakConnections`` never exceeds it; this counts the policy ignoring it).
    public var dialsRefusedAtMax: Int
    /// Mean outbound relay connections over the run (samples).
    public var meanOutboundRelay: Double
    /// Sum over our shards of the sampled time each had fewer than D_low connected peers while a
    /// connectable peer of that shard (online, reachable, relay, our cluster) was not connected.
    public var shardSecondsBelowFloor: Double
    /// The worst shard's share of that.
    public var worstShardSecondsBelowFloor: Double
    /// The worst shard's connected peers at the end.
    public var minShardPeersAtEnd: Int
    /// Connections closed by policy disconnects (churn the policy caused).
    public var policyDisconnects: Int
    /// Of those, connections to protected (static) peers.
    public var protectedEvicted: Int
    /// Those connections by the reason the policy gave.
    public var disconnectsByReason: [String: Int] = [:]
    /// Discovery requests the host answered (peerd's `request_discovery`; nwaku never asks).
    public var discoveryRequests = 0
    /// Peer records those answers reported.
    public var discoveredOnRequest = 0
    /// Events the simulation processed (a measure of work).
    public var events: Int
    /// Spread of the outbound relay peers, averaged over the samples that had any: distinct
    /// IPv4 /16s among them, the largest /16's share of them (%), and the share in the
    /// scenario's crowded subnets (%; ``Scenario/concentratedFraction``).
    public var meanOutboundGroups = 0.0
    public var meanLargestGroupPercent = 0.0
    public var meanConcentratedPercent = 0.0
}

/// A run's result.
public struct SimulationResult: Sendable {
    public var summary: Summary
    public var samples: [Sample]
    /// Where the shard-seconds below D_low went.
    public var census = ShortfallCensus()

    /// The samples as CSV, with a header.
    public func csv(shards: [UInt16]) -> String {
        var lines = [
            (["seconds", "policy", "connections", "outbound_relay", "inbound_relay"] + shards.map { "shard_\($0)" }
                + ["dials", "wasted_dials"]).joined(separator: ",")
        ]
        lines.reserveCapacity(samples.count + 1)
        for sample in samples {
            let fields =
                [
                    String(Int(sample.seconds)), summary.policy, String(sample.connections),
                    String(sample.outboundRelay),
                    String(sample.inboundRelay),
                ] + sample.perShard.map(String.init) + [String(sample.dials), String(sample.wastedDials)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
