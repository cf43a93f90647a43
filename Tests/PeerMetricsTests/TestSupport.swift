import PeerCore
import PeerIdentity
import PeerMetrics

/// A peer id from four bytes, e.g. `peer(1)` (as in PeerCoreTests).
func peer(_ n: Int) -> PeerID {
    PeerID(multihash: [0x00, 0x04, UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)])
}

let me = PeerID(multihash: [0x00, 0x04, 0xff, 0xff, 0xff, 0xff])

func address(_ n: Int) -> Multiaddr {
    try! Multiaddr("/ip4/10.0.\(n >> 8 & 0xff).\(n & 0xff)/tcp/60000")
}

func at(_ seconds: Int64) -> EngineTime { .seconds(1_700_000_000 + seconds) }

func relayInfo(_ n: Int, shards: [UInt16], protocols: [String] = [WakuCodec.relay]) -> PeerInfo {
    PeerInfo(
        id: peer(n), addresses: [address(n)], protocols: protocols,
        enr: PeerENRInfo(
            sequence: 1, text: "enr:-test\(n)", relayShards: RelayShards(clusterID: 1, shardIDs: shards),
            capabilities: [.relay]))
}

/// Drives an engine and keeps every decision it returns, as the server would feed them to ``PeerMetrics``.
struct Driver {
    var engine: PeerEngine
    var decisions: [Decision] = []

    init(_ configure: (inout EngineConfiguration) -> Void = { _ in }) throws {
        engine = try PeerEngine(configuration: .defaults(configure: configure), selfID: me)
    }

    @discardableResult
    mutating func apply(_ actions: [EngineAction]) -> [EngineAction] {
        decisions += actions.decisions
        return actions
    }

    @discardableResult
    mutating func handle(_ event: HostEvent, now: EngineTime = at(0)) -> [EngineAction] {
        apply(engine.handle(event, now: now))
    }

    mutating func open(_ n: Int, direction: PeerDirection) {
        handle(
            .connectionOpened(ConnectionID(UInt64(n)), peer: peer(n), direction: direction, observedAddress: address(n))
        )
    }

    /// Dials a stored peer on request and reports `outcome` for the dial.
    mutating func connect(_ n: Int, outcome: CommandOutcome, now: EngineTime = at(0)) {
        let actions = apply(engine.connect(peer(n), now: now))
        for command in actions.commands {
            guard case .dial = command.command else { continue }
            if case .succeeded = outcome { open(n, direction: .outbound) }
            handle(.commandCompleted(command.id, outcome), now: now)
        }
    }

    mutating func stream(_ n: Int, _ protocolID: String, _ direction: PeerDirection) {
        handle(.streamOpened(peer: peer(n), protocolID: protocolID, direction: direction))
    }
}

extension PeerMetrics {
    /// The exposition as lines.
    var lines: Set<String> {
        Set(String(decoding: exposition(), as: UTF8.self).split(separator: "\n").map(String.init))
    }
}
