import PeerCore
import PeerIdentity

/// peerd's engine, driven as peerd's server drives it (`EngineLoops`): a connectivity step at
/// the engine's own next wake (``PeerEngine/nextWake(now:)``, which also covers a settled round)
/// and a prune every ``EngineConfiguration/pruneInterval``.
public struct PeerdPolicy: SimPolicy {
    public let name: String
    public private(set) var engine: PeerEngine
    private var rng: EngineRandom
    private var nextPrune: EngineTime
    private var nextTick: EngineTime

    /// The selfID every simulated node uses (never one of the virtual peers).
    static let selfID = PeerID(multihash: [0x00, 0x04, 0x53, 0x45, 0x4C, 0x46])

    public init(scenario: Scenario, name: String, configure: (inout EngineConfiguration) -> Void = { _ in }) throws {
        var configuration = EngineConfiguration.defaults
        configuration.maxConnections = scenario.maxConnections
        configuration.clusterID = scenario.clusterID
        configuration.shards = scenario.ourShards
        configure(&configuration)
        engine = try PeerEngine(configuration: configuration, selfID: Self.selfID)
        rng = EngineRandom(seed: (scenario.seed, 0x5157, 0x9EE7, 0xD))
        self.name = name
        nextPrune = .epoch + configuration.pruneInterval
        nextTick = .epoch
    }

    public mutating func start(staticPeers: [PeerInfo], now: EngineTime) -> [SimCommand] {
        var actions: [EngineAction] = []
        for peer in staticPeers {
            actions += engine.addPeer(peer, origin: .static, now: now)
            _ = engine.protect(peer.id, tag: "static")
            actions += engine.connect(peer.id, now: now)
        }
        return actions.commands.simCommands
    }

    public mutating func discovered(_ info: PeerInfo, now: EngineTime) -> [SimCommand] {
        discovered(info, origin: .discv5, now: now)
    }

    public mutating func discovered(_ info: PeerInfo, origin: PeerOrigin, now: EngineTime) -> [SimCommand] {
        engine.addPeer(info, origin: origin, now: now).commands.simCommands
    }

    public mutating func handle(_ event: HostEvent, now: EngineTime) -> [SimCommand] {
        let settled = engine.roundsSettled
        let commands = engine.handle(event, now: now).commands.simCommands
        // The server re-reads the wake when a round settles (`roundSettled` signal).
        if engine.roundsSettled != settled { nextTick = engine.nextWake(now: now) }
        return commands
    }

    public mutating func wake(now: EngineTime) -> [SimCommand] {
        var commands: [SimCommand] = []
        if now >= nextPrune {
            commands += engine.prune(now: now, using: &rng).commands.simCommands
            nextPrune = now + engine.configuration.pruneInterval
        }
        if now >= nextTick {
            commands += engine.tick(now: now, using: &rng).actions.commands.simCommands
            // A wake at `now` would spin: the server's loop re-reads after each step, and the
            // engine's clock moves on in between, so the next step is never at the same instant.
            nextTick = max(engine.nextWake(now: now), now + .milliseconds(10))
        } else {
            nextTick = min(nextTick, max(engine.nextWake(now: now), now + .milliseconds(10)))
        }
        return commands
    }

    public func nextWake(now: EngineTime) -> EngineTime { min(nextTick, nextPrune) }
}
