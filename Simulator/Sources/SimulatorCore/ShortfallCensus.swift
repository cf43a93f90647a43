import PeerCore

/// Where a run's shard-seconds below D_low go (issue 14): each sample that counts a shard short
/// (``Simulation/takeSample()``) is put down to one cause, read from the engine's census of the
/// shard (``PeerEngine/shardCoverageCensus(now:)``) against the host's ground truth, and each
/// episode (a run of short samples) to the loss that began it.
public struct ShortfallCensus: Sendable, Equatable {
    /// Why a short shard is short at a sample, first match wins.
    public enum Cause: String, Sendable, CaseIterable {
        /// The engine counts the floor reached (it disagrees with the host).
        case engineCountsEnough = "engine_counts_enough"
        /// Connected peers serve the shard but the engine does not know it yet (identify,
        /// relay stream or metadata pending).
        case shardsUnknown = "shards_unknown"
        /// Dials to peers of the shard are in flight.
        case dialsInFlight = "dials_in_flight"
        /// Connectable candidates are known and nothing dials them (waiting for a step).
        case candidatesIdle = "candidates_idle"
        /// Connectable candidates are known but max-connections are open (or reserved by dials).
        case candidatesIdleAtMax = "candidates_idle_at_max"
        /// Candidates are known but all in backoff, a cool-down or the reconnect wait.
        case candidatesWaiting = "candidates_waiting"
        /// No peer of the shard is known.
        case noCandidate = "no_candidate"
        /// Not peerd (no census).
        case otherPolicy = "other_policy"
    }

    /// Shard-seconds per cause.
    public var seconds: [String: Double] = [:]
    /// Episodes per loss that began them: "offline" (churn), a policy disconnect reason, or
    /// "start" (the shard was never at the floor yet).
    public var episodes: [String: Int] = [:]
    /// Shard-seconds per loss that began the episode.
    public var episodeSeconds: [String: Double] = [:]

    public init() {}

    /// The cause for a short shard with `hostCount` connected useful peers.
    public static func cause(_ census: ShardCoverageCensus?, hostCount: Int, floor: Int, atMax: Bool) -> Cause {
        guard let census else { return .otherPolicy }
        if census.connected >= floor { return .engineCountsEnough }
        if hostCount > census.connected { return .shardsUnknown }
        if census.dialling > 0 { return .dialsInFlight }
        if census.connectable > 0 { return atMax ? .candidatesIdleAtMax : .candidatesIdle }
        if census.waiting > 0 { return .candidatesWaiting }
        return .noCandidate
    }

    /// One line per table, largest first.
    public var text: String {
        func list<V: Comparable>(_ values: [String: V], _ show: (V) -> String) -> String {
            values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \(show($0.value))" }.joined(separator: "; ")
        }
        return "shard-s by cause: \(list(seconds) { String(Int($0)) })\n"
            + "episodes by loss: \(list(episodes) { String($0) })\n"
            + "shard-s by loss: \(list(episodeSeconds) { String(Int($0)) })"
    }
}
