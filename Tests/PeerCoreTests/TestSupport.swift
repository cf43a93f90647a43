import PeerCore
import PeerIdentity

/// A peer id from four bytes, e.g. `peer(1)`.
func peer(_ n: Int) -> PeerID {
    PeerID(multihash: [0x00, 0x04, UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)])
}

let me = PeerID(multihash: [0x00, 0x04, 0xff, 0xff, 0xff, 0xff])

func address(_ n: Int, ip: String? = nil) -> Multiaddr {
    try! Multiaddr("/ip4/\(ip ?? "10.\(n >> 16 & 0xff).\(n >> 8 & 0xff).\(n & 0xff)")/tcp/60000")
}

/// A seconds-based virtual clock value.
func at(_ seconds: Int64) -> EngineTime { .seconds(1_700_000_000 + seconds) }

/// A deterministic generator (SplitMix64) so every run replays.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64 = 42) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func relayInfo(_ n: Int, shards: [UInt16]? = nil, cluster: UInt16 = 1, sequence: UInt64 = 1) -> PeerInfo {
    PeerInfo(
        id: peer(n), addresses: [address(n)], protocols: [WakuCodec.relay],
        enr: shards.map {
            PeerENRInfo(
                sequence: sequence, text: "enr:-test\(n)", relayShards: RelayShards(clusterID: cluster, shardIDs: $0),
                capabilities: [.relay])
        })
}

func engine(_ configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> PeerEngine {
    try PeerEngine(configuration: .defaults(configure: configure), selfID: me)
}

extension PeerEngine {
    /// Opens a connection and returns the actions.
    @discardableResult
    mutating func open(
        _ n: Int, conn: UInt64? = nil, direction: PeerDirection = .inbound, ip: String? = nil, now: EngineTime = at(0)
    ) -> [EngineAction] {
        handle(
            .connectionOpened(
                ConnectionID(conn ?? UInt64(n)), peer: peer(n), direction: direction,
                observedAddress: address(n, ip: ip)), now: now)
    }

    @discardableResult
    mutating func close(_ conn: UInt64, now: EngineTime = at(0)) -> [EngineAction] {
        handle(.connectionClosed(ConnectionID(conn)), now: now)
    }

    /// Marks a peer as a relay peer through identify.
    @discardableResult
    mutating func identifyRelay(_ n: Int, now: EngineTime = at(0)) -> [EngineAction] {
        handle(.identified(peer: peer(n), IdentifyInfo(protocols: [WakuCodec.relay])), now: now)
    }

    func connectedness(_ n: Int) -> Connectedness { store.connectedness(peer(n)) }
    func record(_ n: Int) -> PeerRecord? { store.record(peer(n)) }
}

extension Array where Element == EngineAction {
    var dials: [PeerID] {
        commands.compactMap { if case .dial(let peer, _, _, _) = $0.command { peer } else { nil } }
    }
    var disconnects: [PeerID] {
        commands.compactMap { if case .disconnect(let peer, _) = $0.command { peer } else { nil } }
    }
    var reasons: [DecisionReason] { decisions.map(\.reason) }
}

extension PeerEngine {
    /// Reports `outcome` for every dial in `actions`; returns what the engine did in response.
    @discardableResult
    mutating func complete(dialsIn actions: [EngineAction], with outcome: CommandOutcome, now: EngineTime)
        -> [EngineAction]
    {
        var out: [EngineAction] = []
        for command in actions.commands {
            if case .dial = command.command { out += handle(.commandCompleted(command.id, outcome), now: now) }
        }
        return out
    }

    /// A dial that the host reports as failed at `now`.
    mutating func failDial(_ n: Int, now: EngineTime) {
        let actions = connect(peer(n), now: now)
        complete(dialsIn: actions, with: .failed(reason: "unreachable"), now: now)
    }
}
