import ArgumentParser
import PeerCore
import PeerIdentity

/// The peer manager's settings, named like nwaku's flags, with nwaku's defaults.
///
/// Every flag has a range (``EngineConfiguration/Bounds``, shown in `--help`); ``problems()``
/// checks them all before any value is converted.
struct EngineOptions: ParsableArguments {
    typealias Bounds = EngineConfiguration.Bounds

    @Option(help: "Maximum connections, relay plus service peers \(FlagBounds.help(Bounds.maxConnections)).")
    var maxConnections: Int = 50

    @Option(help: "Relay:service share of --max-connections, \"X:Y\" summing to 100.")
    var relayServiceRatio: String = "60:40"

    @Option(
        help: ArgumentHelp(
            "Peers kept in the store (default: 5 x --max-connections) \(FlagBounds.help(Bounds.peerStoreCapacity)).",
            valueName: "count"))
    var peerStoreCapacity: Int?

    @Option(
        help: "Peers allowed from one IP address; 0 disables the limit \(FlagBounds.help(Bounds.colocationLimit)).")
    var ipColocationLimit: Int = 5

    @Option(help: ArgumentHelp("The cluster id (default: adopted from the host's hello; 0 to 65535).", valueName: "id"))
    var clusterID: UInt16?

    @Option(
        name: .customLong("shard"),
        help: ArgumentHelp(
            "A relay shard to serve (repeatable; default: the host's; 0 to \(RelayShard.maxShardIndex)).",
            valueName: "shard"))
    var shards: [UInt16] = []

    @Flag(help: "Manage connectivity per shard (per-shard in/out targets, relay peers only).")
    var relayShardManager = false

    @Option(help: ArgumentHelp("Seconds a dial may take \(FlagBounds.help(Bounds.dialTimeout)).", valueName: "seconds"))
    var dialTimeout: Double = 10

    @Option(
        help: ArgumentHelp(
            "Backoff after the first failed dial, in seconds \(FlagBounds.help(Bounds.initialBackoff)).",
            valueName: "seconds"))
    var initialBackoff: Double = 120

    @Option(
        help: """
            Backoff multiplier per further failure: initial * factor^(failures-1) \
            \(FlagBounds.help(Bounds.backoffFactor)); the longest backoff must stay within a week.
            """)
    var backoffFactor: Int = 4

    @Option(
        help: """
            Failed dials after which a peer is never redialled by policy \
            \(FlagBounds.help(Bounds.maxFailedAttempts)).
            """)
    var maxFailedAttempts: Int = 5

    @Option(
        help: ArgumentHelp(
            "Seconds between peer-store prunes \(FlagBounds.help(Bounds.pruneInterval)).", valueName: "seconds"))
    var pruneInterval: Double = 600

    @Option(
        help: ArgumentHelp(
            """
            Seconds a unary host may go without a call before it is detached \
            \(FlagBounds.help(Self.hostSessionTimeoutRange)).
            """,
            valueName: "seconds"))
    var hostSessionTimeout: Double = 30

    @Option(
        help: ArgumentHelp(
            """
            Outbound relay dials per round as a percentage of the free outbound slots (100 dials \
            exactly the deficit, as nwaku; many dials fail, so more reach the target sooner: \
            SIMULATION.md) \(FlagBounds.help(Bounds.dialOversubscriptionPercent)).
            """,
            valueName: "percent"))
    var dialOversubscription: Int = 300

    @Option(
        help: ArgumentHelp(
            """
            Relay peers to keep on each subscribed shard while connectable peers of it exist \
            (default: 4, gossipsub's D_low, where 4 x shards fits in --max-connections; 0 disables; \
            needs --cluster-id and --shard) \(FlagBounds.help(Bounds.shardCoverageFloor)).
            """,
            valueName: "peers"))
    var shardCoverageFloor: Int?

    @Flag(
        help: """
            Redial peers cut for another network or a failed metadata exchange as soon as \
            discovery reports them again (nwaku's behaviour; by default they wait 24 h and 10 min).
            """)
    var noReasonCooldowns = false

    @Flag(
        help: """
            Dial outbound candidates in random order only (nwaku's behaviour). By default each \
            round spreads its dials across network groups (IPv4 /16, IPv6 /32, DNS name) and \
            discovery sources, so one subnet or one source cannot fill the outbound slots.
            """)
    var noDialSpread = false

    @Option(
        help: ArgumentHelp(
            """
            Ask the host to discover peers of a subscribed shard below the floor that peerd knows \
            too few connectable peers of (request_discovery), at most this often per shard; 0 never \
            asks (nwaku never does) \(FlagBounds.help(Bounds.discoveryRequestInterval)).
            """,
            valueName: "seconds"))
    var discoveryRequestInterval: Double = 30

    /// A unary host polls at least every 60 s (PollCommands' longest wait); a day is plenty.
    static let hostSessionTimeoutRange: ClosedRange<Duration> = .seconds(1)...(.seconds(86_400))

    /// The engine settings. Durations go through ``FlagBounds/duration(seconds:)``, which never
    /// traps; ``problems()`` has refused anything out of range before peerd uses this.
    var configuration: EngineConfiguration {
        EngineConfiguration.defaults { configuration in
            configuration.maxConnections = maxConnections
            configuration.relayServiceRatio = relayServiceRatio
            configuration.peerStoreCapacity = peerStoreCapacity
            configuration.colocationLimit = ipColocationLimit
            configuration.clusterID = clusterID
            configuration.shards = shards
            configuration.shardedPeerManagement = relayShardManager
            configuration.dialTimeout = FlagBounds.duration(seconds: dialTimeout)
            configuration.initialBackoff = FlagBounds.duration(seconds: initialBackoff)
            configuration.backoffFactor = backoffFactor
            configuration.maxFailedAttempts = maxFailedAttempts
            configuration.pruneInterval = FlagBounds.duration(seconds: pruneInterval)
            configuration.dialOversubscriptionPercent = dialOversubscription
            configuration.shardCoverageFloor = shardCoverageFloor
            configuration.reasonCooldowns = !noReasonCooldowns
            configuration.dialSpread = !noDialSpread
            configuration.discoveryRequestInterval =
                discoveryRequestInterval == 0 ? nil : FlagBounds.duration(seconds: discoveryRequestInterval)
        }
    }

    var hostSessionTimeoutDuration: Duration { FlagBounds.duration(seconds: hostSessionTimeout) }

    /// Every problem, each naming the flag(s) to change. The seconds flags are checked as the
    /// numbers given (a `nan` or `1e300` cannot become a `Duration`); the engine's own validation
    /// checks the counts and the rules that combine settings.
    func problems() -> [String] {
        let initialBackoffProblem = FlagBounds.seconds("--initial-backoff", initialBackoff, in: Bounds.initialBackoff)
        var problems = [
            FlagBounds.seconds("--dial-timeout", dialTimeout, in: Bounds.dialTimeout),
            initialBackoffProblem,
            FlagBounds.seconds("--prune-interval", pruneInterval, in: Bounds.pruneInterval),
            FlagBounds.seconds("--host-session-timeout", hostSessionTimeout, in: Self.hostSessionTimeoutRange),
            discoveryRequestInterval == 0
                ? nil
                : FlagBounds.seconds(
                    "--discovery-request-interval", discoveryRequestInterval, in: Bounds.discoveryRequestInterval),
        ].compactMap { $0 }
        do {
            try configuration.validate()
        } catch {
            // The seconds flags were judged above, as given; their clamped durations say no more.
            let judged: Set = ["dialTimeout", "initialBackoff", "pruneInterval", "discoveryRequestInterval"]
            for problem in error.problems {
                if case .outOfRange(let setting, _, _) = problem, judged.contains(setting) { continue }
                if case .backoffTooLong = problem, initialBackoffProblem != nil { continue }
                problems.append("\(Self.flags(for: problem)): \(problem)")
            }
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
                "maxConnections": "--max-connections", "peerStoreCapacity": "--peer-store-capacity",
                "initialBackoff": "--initial-backoff", "backoffFactor": "--backoff-factor",
                "maxFailedAttempts": "--max-failed-attempts", "dialTimeout": "--dial-timeout",
                "pruneInterval": "--prune-interval", "colocationLimit": "--ip-colocation-limit", "shards": "--shard",
                "dialOversubscriptionPercent": "--dial-oversubscription",
                "shardCoverageFloor": "--shard-coverage-floor",
            ][setting] ?? setting
        }
    }
}
