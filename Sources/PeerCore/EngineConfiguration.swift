import PeerIdentity

/// The engine's policy settings, with nwaku's defaults.
///
/// Defaults (``defaults``): 50 max connections, relay:service ratio "60:40" (relay 30 = 10 out +
/// 20 in, service 20), peer-store capacity 5 x max connections, backoff 120 s x 4^(n-1) with no
/// redial after 5 failures, dial timeout 10 s, batches of 10 dials, connectivity loop base
/// interval 30 s with a 1 s floor, colocation limit 5 (0 disables it), reconnect backoff for
/// persisted peers 62 s (gossipsub prune backoff 60 s + 2 s slack). Metadata checks are off until
/// a ``clusterID`` is set.
public struct EngineConfiguration: Sendable, Hashable {
    /// The host's connection limit (libp2p `MaxConnections`, nwaku `--max-connections`).
    public var maxConnections: Int = 50
    /// "X:Y" with X + Y = 100: the relay and service shares of ``maxConnections``.
    public var relayServiceRatio: String = "60:40"
    /// Peers kept in the store before pruning; `nil` means 5 x ``maxConnections`` as in nwaku.
    public var peerStoreCapacity: Int?
    /// The wait after the first failed dial.
    public var initialBackoff: Duration = .seconds(120)
    /// The backoff multiplier per further failure.
    public var backoffFactor: Int = 4
    /// From this many consecutive failed dials on, policy never dials the peer again (1...100).
    public var maxFailedAttempts: Int = 5
    /// The timeout given to the host with every dial and metadata request.
    public var dialTimeout: Duration = .seconds(10)
    /// Dials issued per connectivity batch (nwaku `MaxParallelDials`).
    public var maxParallelDials: Int = 10
    /// The connectivity loop's base interval (scaled by how far from target we are).
    public var connectivityInterval: Duration = .seconds(30)
    /// The floor of the dynamic interval (nwaku added it after a 100 % CPU loop, #3130).
    public var minimumConnectivityInterval: Duration = .seconds(1)
    /// How often the server should call ``PeerEngine/prune(now:using:)``.
    public var pruneInterval: Duration = .seconds(600)
    /// Max connected peers sharing one IP; 0 disables the limit.
    public var colocationLimit: Int = 5
    /// Our cluster; `nil` disables metadata requests and verdicts.
    public var clusterID: UInt16?
    /// Our relay shards (sharded peer management, metadata).
    public var shards: [UInt16] = []
    /// Manage relay peers per shard instead of globally (nwaku `--relay-shard-manager`).
    public var shardedPeerManagement = false
    /// Ask the host for a metadata exchange on each Joined (when ``clusterID`` is set).
    public var requestMetadataOnJoin = true
    /// Wait before reconnecting persisted (`.cache`) peers.
    public var reconnectBackoff: Duration = .seconds(62)
    /// Grace beyond a command's timeout after which the engine gives up on its result.
    public var commandGracePeriod: Duration = .seconds(5)

    // MARK: Beyond nwaku (issue 14; SIMULATION.md has the table behind each default)

    /// Outbound relay candidates a round queues and a batch dials, as a percentage of the free
    /// outbound slots (100: exactly the deficit, as nwaku). Many dials fail (unreachable, offline
    /// peers), so dialling more reaches the target sooner; the surplus that connects is pruned.
    public var dialOversubscriptionPercent: Int = 300
    /// Keep at least this many connected relay peers on each subscribed shard while connectable
    /// peers of it exist: dial for a short shard even at the outbound target, and never prune a
    /// peer whose shard would go below it. `nil` (the default) is gossipsub's D_low,
    /// ``defaultShardCoverageFloor``, wherever floor x shards fits in ``maxConnections`` (and no
    /// floor where it does not); 0 disables it (nwaku has no such floor); an explicit floor must
    /// fit. It applies when a clusterID and shards are set, outside sharded mode.
    public var shardCoverageFloor: Int?
    /// Gossipsub D_low.
    public static let defaultShardCoverageFloor = 4
    /// Leave a peer cut for another network (24 h) or a failed metadata exchange (10 min) alone
    /// when discovery reports it again (``ReconnectCooldowns``); nwaku redials it.
    public var reasonCooldowns = true
    /// Ask the host to discover peers of a subscribed shard below the shard floor when the store
    /// knows too few connectable peers of it (``HostCommand/requestDiscovery(clusterID:shard:wanted:)``),
    /// at most once per shard per interval; `nil` never asks (nwaku never does). One discv5 lookup
    /// takes seconds to tens of seconds and a new peer then needs a dial: asking more often than
    /// every 30 s per shard would stack lookups the host has not finished.
    public var discoveryRequestInterval: Duration? = .seconds(30)
    /// Order each non-sharded round's dial queue across network groups (IPv4 /16, IPv6 /32, DNS
    /// name) and discovery origins (``DialSpread``): no group gets a second outbound peer while
    /// an untouched group has a candidate, and origins take turns. nwaku dials in random order,
    /// so one subnet or one discovery source can fill the outbound slots (an eclipse).
    public var dialSpread = true
    /// How long the engine waits for a discovery request's result before forgetting it (then the
    /// interval still applies).
    public static let discoveryRequestTimeout: Duration = .seconds(60)

    // MARK: Limits (bounds on what clients and the host can make the engine store)

    /// Addresses and protocols per peer, protection tags (see ``EngineLimits``).
    public var limits = EngineLimits()

    /// The gossipsub `dHigh`: fewer relay slots than this cannot hold a full mesh.
    public static let minimumRelayPeers = 8
    /// The longest allowed backoff (after `maxFailedAttempts` failures).
    public static let maximumBackoff: Duration = .seconds(7 * 24 * 3600)

    public init() {}

    /// nwaku's defaults (see the type's documentation).
    public static var defaults: EngineConfiguration { EngineConfiguration() }

    /// The defaults changed by `configure`.
    public static func defaults(configure: (inout EngineConfiguration) -> Void) -> EngineConfiguration {
        var configuration = EngineConfiguration()
        configure(&configuration)
        return configuration
    }

    /// The effective peer-store capacity.
    public var effectiveCapacity: Int { peerStoreCapacity ?? maxConnections * 5 }

    /// The backoff policy these settings describe.
    public var backoff: Backoff {
        Backoff(initial: initialBackoff, factor: backoffFactor, maxFailedAttempts: maxFailedAttempts)
    }

    /// Checks every setting and reports all problems at once.
    ///
    /// Every setting has a range (``Bounds``) that keeps the engine's arithmetic (capacity =
    /// 5 x max connections, relay targets, backoff products) and the wire's `UInt32` and
    /// millisecond fields exact. Ranges are checked first; the rules that combine settings run
    /// only on settings already in range, so nothing here can overflow.
    ///
    /// - Throws: ``ConfigurationError`` listing each problem, with the offending values.
    public func validate() throws(ConfigurationError) {
        var problems: [ConfigurationError.Problem] = []
        func check(_ setting: String, _ value: Int, _ range: ClosedRange<Int>, note: String = "") -> Bool {
            guard range.contains(value) else {
                problems.append(
                    .outOfRange(
                        setting: setting, value: "\(value)",
                        requirement: "\(range.lowerBound)...\(range.upperBound)\(note)"))
                return false
            }
            return true
        }
        func check(_ setting: String, _ value: Duration, _ range: ClosedRange<Duration>) -> Bool {
            guard range.contains(value) else {
                problems.append(
                    .outOfRange(
                        setting: setting, value: "\(value)",
                        requirement: "\(range.lowerBound)...\(range.upperBound)"))
                return false
            }
            return true
        }
        let connectionsValid = check("maxConnections", maxConnections, Bounds.maxConnections)
        let capacityValid = peerStoreCapacity.map { check("peerStoreCapacity", $0, Bounds.peerStoreCapacity) } ?? true
        let initialValid = check("initialBackoff", initialBackoff, Bounds.initialBackoff)
        let factorValid = check("backoffFactor", backoffFactor, Bounds.backoffFactor)
        let attemptsValid = check("maxFailedAttempts", maxFailedAttempts, Bounds.maxFailedAttempts)
        _ = check("dialTimeout", dialTimeout, Bounds.dialTimeout)
        _ = check("maxParallelDials", maxParallelDials, Bounds.maxParallelDials)
        _ = check("pruneInterval", pruneInterval, Bounds.pruneInterval)
        _ = check("colocationLimit", colocationLimit, Bounds.colocationLimit, note: " (0 disables)")
        _ = check("reconnectBackoff", reconnectBackoff, Bounds.reconnectBackoff)
        _ = check("commandGracePeriod", commandGracePeriod, Bounds.commandGracePeriod)
        _ = check("dialOversubscriptionPercent", dialOversubscriptionPercent, Bounds.dialOversubscriptionPercent)
        if let interval = discoveryRequestInterval {
            _ = check("discoveryRequestInterval", interval, Bounds.discoveryRequestInterval)
        }
        if let floor = shardCoverageFloor, check("shardCoverageFloor", floor, Bounds.shardCoverageFloor),
            connectionsValid, clusterID != nil, !shardedPeerManagement, floor * shards.count > maxConnections
        {
            // The floors must fit inside the connection limit: in the worst case each shard's
            // peers serve that shard alone.
            problems.append(
                .outOfRange(
                    setting: "shardCoverageFloor", value: "\(floor) x \(shards.count) shards",
                    requirement: "floor x shards <= maxConnections \(maxConnections) (0 disables the floor)"))
        }
        if !Bounds.connectivityInterval.contains(connectivityInterval)
            || !Bounds.connectivityInterval.contains(minimumConnectivityInterval)
            || minimumConnectivityInterval > connectivityInterval
        {
            problems.append(
                .outOfRange(
                    setting: "connectivityInterval",
                    value: "\(connectivityInterval) (floor \(minimumConnectivityInterval))",
                    requirement:
                        "\(Bounds.connectivityInterval.lowerBound) <= floor <= interval <= "
                        + "\(Bounds.connectivityInterval.upperBound)"))
        }
        if connectionsValid, capacityValid, effectiveCapacity < maxConnections {
            problems.append(.capacityBelowMaxConnections(capacity: effectiveCapacity, maxConnections: maxConnections))
        }
        if let ratio = RelayServiceRatio(relayServiceRatio) {
            if connectionsValid {
                let targets = RelayTargets(maxConnections: maxConnections, ratio: ratio)
                if targets.relay < Self.minimumRelayPeers {
                    problems.append(.tooFewRelayPeers(relayPeers: targets.relay, minimum: Self.minimumRelayPeers))
                }
            }
        } else {
            problems.append(.invalidRelayServiceRatio(relayServiceRatio))
        }
        if initialValid, factorValid, attemptsValid {
            let longest = backoff.delay(afterFailures: maxFailedAttempts)
            if longest.map({ $0 > Self.maximumBackoff }) ?? true {
                problems.append(
                    .backoffTooLong(failures: maxFailedAttempts, backoff: longest, maximum: Self.maximumBackoff))
            }
        }
        if shards.count > Bounds.shardCount {
            problems.append(
                .outOfRange(
                    setting: "shards", value: "\(shards.count) shards", requirement: "at most \(Bounds.shardCount)"))
        }
        for shard in shards where shard > RelayShard.maxShardIndex {
            problems.append(
                .outOfRange(setting: "shards", value: "\(shard)", requirement: "<= \(RelayShard.maxShardIndex)"))
        }
        if shardedPeerManagement && (clusterID == nil || shards.isEmpty) {
            problems.append(.shardedManagementWithoutShards)
        }
        problems += limits.problems
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }

    /// The allowed range of each setting. Counts stay far below `UInt32.max` (GetConfiguration's
    /// fields) and below the point where capacity or target arithmetic could overflow; durations
    /// stay whole milliseconds-representable and short enough to add to any ``EngineTime``.
    public enum Bounds {
        public static let maxConnections: ClosedRange<Int> = 1...1_000_000
        public static let peerStoreCapacity: ClosedRange<Int> = 1...10_000_000
        public static let colocationLimit: ClosedRange<Int> = 0...1_000_000
        public static let backoffFactor: ClosedRange<Int> = 1...1000
        public static let maxFailedAttempts: ClosedRange<Int> = 1...100
        public static let maxParallelDials: ClosedRange<Int> = 1...10_000
        /// At most ``EngineConfiguration/maximumBackoff`` (one week).
        public static let initialBackoff: ClosedRange<Duration> = .milliseconds(1)...EngineConfiguration.maximumBackoff
        public static let dialTimeout: ClosedRange<Duration> = .milliseconds(10)...(.seconds(3600))
        public static let pruneInterval: ClosedRange<Duration> = .seconds(1)...EngineConfiguration.maximumBackoff
        public static let connectivityInterval: ClosedRange<Duration> = .milliseconds(10)...(.seconds(86_400))
        public static let reconnectBackoff: ClosedRange<Duration> = .zero...EngineConfiguration.maximumBackoff
        public static let commandGracePeriod: ClosedRange<Duration> = .zero...(.seconds(3600))
        public static let dialOversubscriptionPercent: ClosedRange<Int> = 100...1000
        public static let shardCoverageFloor: ClosedRange<Int> = 0...1000
        public static let discoveryRequestInterval: ClosedRange<Duration> =
            .seconds(1)...EngineConfiguration.maximumBackoff
        /// Every shard of a cluster, once.
        public static let shardCount = Int(RelayShard.maxShardIndex) + 1
    }
}

/// Every problem found in an ``EngineConfiguration``, gathered into one error.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One invalid setting.
    public enum Problem: Hashable, Sendable, CustomStringConvertible {
        case capacityBelowMaxConnections(capacity: Int, maxConnections: Int)
        case invalidRelayServiceRatio(String)
        case tooFewRelayPeers(relayPeers: Int, minimum: Int)
        /// `backoff` is `nil` when it overflows.
        case backoffTooLong(failures: Int, backoff: Duration?, maximum: Duration)
        case shardedManagementWithoutShards
        case outOfRange(setting: String, value: String, requirement: String)

        public var description: String {
            switch self {
            case .capacityBelowMaxConnections(let capacity, let maxConnections):
                "peer store capacity must be at least maxConnections "
                    + "(capacity: \(capacity), maxConnections: \(maxConnections))"
            case .invalidRelayServiceRatio(let text):
                "relayServiceRatio must be \"X:Y\" with X, Y >= 0 and X + Y = 100 (actual: \"\(text)\")"
            case .tooFewRelayPeers(let relayPeers, let minimum):
                "relay share gives \(relayPeers) relay peers, below gossipsub dHigh "
                    + "(min: \(minimum), actual: \(relayPeers))"
            case .backoffTooLong(let failures, let backoff, let maximum):
                "backoff after \(failures) failures must be at most \(maximum) "
                    + "(actual: \(backoff.map { "\($0)" } ?? "overflow"))"
            case .shardedManagementWithoutShards:
                "shardedPeerManagement needs a clusterID and at least one shard"
            case .outOfRange(let setting, let value, let requirement):
                "\(setting) must be \(requirement) (actual: \(value))"
            }
        }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }

    public var description: String {
        "invalid engine configuration: " + problems.map(\.description).joined(separator: "; ")
    }
}

/// A parsed "X:Y" relay:service ratio (percentages summing to 100).
public struct RelayServiceRatio: Sendable, Hashable {
    public var relayPercent: Int
    public var servicePercent: Int

    /// Parses "X:Y"; `nil` unless both are non-negative integers summing to 100.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let relay = Int(parts[0]), let service = Int(parts[1]), relay >= 0, service >= 0,
            relay + service == 100
        else { return nil }
        relayPercent = relay
        servicePercent = service
    }
}

/// The relay and service connection targets derived from the configuration.
///
/// relay = ceil(maxConnections x X / 100), service = floor(maxConnections x Y / 100),
/// outbound = relay / 3, inbound = relay - outbound. nwaku computes these but then ignores the
/// configured ratio and always uses its default; we honour it.
public struct RelayTargets: Sendable, Hashable {
    public var relay: Int
    public var service: Int
    public var outbound: Int
    public var inbound: Int

    public init(maxConnections: Int, ratio: RelayServiceRatio) {
        relay = (maxConnections * ratio.relayPercent + 99) / 100
        service = maxConnections * ratio.servicePercent / 100
        outbound = relay / 3
        inbound = relay - outbound
    }
}
