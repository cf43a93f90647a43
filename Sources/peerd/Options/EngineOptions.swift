import ArgumentParser
import PeerCore

/// The peer manager's settings, named like nwaku's flags, with nwaku's defaults.
struct EngineOptions: ParsableArguments {
    @Option(help: "Maximum connections (relay plus service peers).")
    var maxConnections: Int = 50

    @Option(help: "Relay:service share of --max-connections, \"X:Y\" summing to 100.")
    var relayServiceRatio: String = "60:40"

    @Option(help: ArgumentHelp("Peers kept in the store (default: 5 x --max-connections).", valueName: "count"))
    var peerStoreCapacity: Int?

    @Option(help: "Peers allowed from one IP address; 0 disables the limit.")
    var ipColocationLimit: Int = 5

    @Option(help: ArgumentHelp("The cluster id (default: adopted from the host's hello).", valueName: "id"))
    var clusterID: UInt16?

    @Option(
        name: .customLong("shard"),
        help: ArgumentHelp("A relay shard to serve (repeatable; default: the host's).", valueName: "shard"))
    var shards: [UInt16] = []

    @Flag(help: "Manage connectivity per shard (per-shard in/out targets, relay peers only).")
    var relayShardManager = false

    @Option(help: ArgumentHelp("Seconds a dial may take.", valueName: "seconds"))
    var dialTimeout: Double = 10

    @Option(help: ArgumentHelp("Backoff after the first failed dial, in seconds.", valueName: "seconds"))
    var initialBackoff: Double = 120

    @Option(help: "Backoff multiplier per further failure: initial * factor^(failures-1).")
    var backoffFactor: Int = 4

    @Option(help: "Failed dials after which a peer is never redialled by policy.")
    var maxFailedAttempts: Int = 5

    @Option(help: ArgumentHelp("Seconds between peer-store prunes.", valueName: "seconds"))
    var pruneInterval: Double = 600

    @Option(
        help: ArgumentHelp("Seconds a unary host may go without a call before it is detached.", valueName: "seconds"))
    var hostSessionTimeout: Double = 30

    var configuration: EngineConfiguration {
        EngineConfiguration.defaults { configuration in
            configuration.maxConnections = maxConnections
            configuration.relayServiceRatio = relayServiceRatio
            configuration.peerStoreCapacity = peerStoreCapacity
            configuration.colocationLimit = ipColocationLimit
            configuration.clusterID = clusterID
            configuration.shards = shards
            configuration.shardedPeerManagement = relayShardManager
            configuration.dialTimeout = .seconds(dialTimeout)
            configuration.initialBackoff = .seconds(initialBackoff)
            configuration.backoffFactor = backoffFactor
            configuration.maxFailedAttempts = maxFailedAttempts
            configuration.pruneInterval = .seconds(pruneInterval)
        }
    }

    /// Every problem, each naming the flag(s) to change.
    func problems() -> [String] {
        var problems: [String] = []
        if hostSessionTimeout <= 0 {
            problems.append("--host-session-timeout: must be > 0 (actual: \(hostSessionTimeout))")
        }
        if pruneInterval <= 0 { problems.append("--prune-interval: must be > 0 (actual: \(pruneInterval))") }
        do {
            try configuration.validate()
        } catch {
            problems += error.problems.map { "\(Self.flags(for: $0)): \($0)" }
        }
        return problems
    }

    private static func flags(for problem: ConfigurationError.Problem) -> String {
        switch problem {
        case .capacityBelowMaxConnections: "--peer-store-capacity"
        case .invalidRelayServiceRatio: "--relay-service-ratio"
        case .tooFewRelayPeers: "--max-connections/--relay-service-ratio"
        case .backoffTooLong: "--initial-backoff/--backoff-factor/--max-failed-attempts"
        case .shardedManagementWithoutShards: "--relay-shard-manager (needs --cluster-id and --shard)"
        case .outOfRange(let setting, _, _):
            [
                "maxConnections": "--max-connections", "initialBackoff": "--initial-backoff",
                "backoffFactor": "--backoff-factor", "maxFailedAttempts": "--max-failed-attempts",
                "dialTimeout": "--dial-timeout", "colocationLimit": "--ip-colocation-limit", "shards": "--shard",
            ][setting] ?? setting
        }
    }
}
