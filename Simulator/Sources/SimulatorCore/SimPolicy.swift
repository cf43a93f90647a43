import PeerCore
import PeerIdentity

/// A command a policy gives the virtual host, with the id its outcome comes back under
/// (``HostEvent/commandCompleted(_:_:)``). peerd's ``IssuedCommand`` has no public initialiser,
/// so both policies hand the host this instead.
public struct SimCommand: Sendable, Hashable {
    public var id: CommandID
    public var command: HostCommand

    public init(id: CommandID, command: HostCommand) {
        self.id = id
        self.command = command
    }
}

extension Array where Element == IssuedCommand {
    var simCommands: [SimCommand] { map { SimCommand(id: $0.id, command: $0.command) } }
}

/// A peer-management policy as the virtual host sees it: host events in, commands out, and a
/// time at which it wants to run again. Both policies speak peerd's host protocol types, so the
/// host (and the metrics, which read only the host) cannot favour either.
public protocol SimPolicy {
    var name: String { get }
    /// The application's static peers: connect to them (and protect them, where the policy can).
    mutating func start(staticPeers: [PeerInfo], now: EngineTime) -> [SimCommand]
    /// Discovery reports a peer.
    mutating func discovered(_ info: PeerInfo, now: EngineTime) -> [SimCommand]
    /// Discovery reports a peer through a given source (discv5, peer exchange).
    mutating func discovered(_ info: PeerInfo, origin: PeerOrigin, now: EngineTime) -> [SimCommand]
    /// The host reports an event.
    mutating func handle(_ event: HostEvent, now: EngineTime) -> [SimCommand]
    /// The time asked for by ``nextWake(now:)`` has come.
    mutating func wake(now: EngineTime) -> [SimCommand]
    /// When the policy wants ``wake(now:)`` next.
    func nextWake(now: EngineTime) -> EngineTime
}

extension SimPolicy {
    /// A policy that keeps no origin (nwaku's model) takes every report alike.
    public mutating func discovered(_ info: PeerInfo, origin: PeerOrigin, now: EngineTime) -> [SimCommand] {
        discovered(info, now: now)
    }
}

/// The policies the simulator can run.
public enum PolicyKind: String, CaseIterable, Sendable {
    /// nwaku's 2024 peer manager, bugs included (``NwakuPolicy``).
    case nwaku
    /// peerd's engine with its defaults (300 % dial oversubscription, a shard floor of 4,
    /// reconnect cool-downs by reason and discovery requests for short shards since issue 14; SIMULATION.md has the table behind them).
    case peerd
    /// peerd's engine with every issue-14 setting at nwaku's behaviour (no oversubscription, no
    /// shard floor, no cool-downs, no dial spread): the baseline the settings are judged against.
    case peerdBaseline = "peerd-baseline"
    /// Baseline plus 300 % dial oversubscription only.
    case peerdOversubscribed = "peerd-oversub"
    /// Baseline plus the shard floor of 4 only.
    case peerdShardFloor = "peerd-floor"
    /// The defaults without the reconnect cool-downs by reason.
    case peerdNoCooldown = "peerd-no-cooldown"
    /// The defaults without discovery requests for short shards.
    case peerdNoDiscovery = "peerd-no-discovery"
    /// peerd's engine with sharded peer management on (nwaku's per-shard targets).
    case peerdSharded = "peerd-sharded"
    /// The defaults without the dial spread across network groups and origins.
    case peerdNoSpread = "peerd-no-spread"

    /// The policy for a scenario.
    public func make(_ scenario: Scenario) throws -> any SimPolicy {
        switch self {
        case .nwaku: return NwakuPolicy(scenario: scenario, seed: scenario.seed)
        case .peerd: return try PeerdPolicy(scenario: scenario, name: rawValue)
        case .peerdNoCooldown:
            return try PeerdPolicy(scenario: scenario, name: rawValue) { $0.reasonCooldowns = false }
        case .peerdNoDiscovery:
            return try PeerdPolicy(scenario: scenario, name: rawValue) { $0.discoveryRequestInterval = nil }
        case .peerdSharded:
            return try PeerdPolicy(scenario: scenario, name: rawValue) { $0.shardedPeerManagement = true }
        case .peerdNoSpread:
            return try PeerdPolicy(scenario: scenario, name: rawValue) { $0.dialSpread = false }
        case .peerdBaseline, .peerdOversubscribed, .peerdShardFloor:
            let oversubscribed = self == .peerdOversubscribed
            let floor = self == .peerdShardFloor
            return try PeerdPolicy(scenario: scenario, name: rawValue) {
                $0.dialOversubscriptionPercent = oversubscribed ? 300 : 100
                $0.shardCoverageFloor = floor ? scenario.shardFloor : 0
                $0.reasonCooldowns = false
                $0.discoveryRequestInterval = nil
                $0.dialSpread = false
            }
        }
    }
}
