import Foundation
import PeerCore
import PeerIdentity
import PeerTrace

/// Replaying a recorded host trace against a policy (`peerd-sim replay`): the trace's network
/// (``TraceNetwork``), its external events at their recorded times, and the policy's commands
/// answered by the virtual host from that model, as in a scenario run.
extension Simulation {
    /// A replay of `replay` against `policy`.
    public init(replay: TraceNetwork, policy kind: PolicyKind) throws {
        self.init(scenario: replay.scenario, policy: try kind.make(replay.scenario), network: replay.network)
        externals = replay.externals
    }

    /// Reads a trace file and replays it against each policy; the seed draws what the trace does
    /// not say (never-dialled peers' reachability, unknown delays) and the host's delays.
    public static func replay(
        traceAt path: String, policies: [PolicyKind], seed: UInt64 = 1, skipUnknownKinds: Bool = false
    ) throws -> (network: TraceNetwork, results: [SimulationResult]) {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let trace = try TraceDecoder(options: .init(skipUnknownKinds: skipUnknownKinds)).decode(bytes)
        let network = TraceNetwork(
            trace: trace, seed: seed, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        let results = try policies.map { kind in
            var simulation = try Simulation(replay: network, policy: kind)
            return simulation.run()
        }
        return (network, results)
    }

    /// One recorded external event, now.
    mutating func replay(_ external: TraceNetwork.External) {
        switch external {
        case .discovered(_, let info, let origin):
            send(discovered(info, origin: origin))
        case .staticPeer(_, let info):
            recording?.note(staticPeers: [info], at: now)
            send(policy.start(staticPeers: [info], now: now))
        case .inbound(let index):
            // libp2p refuses an inbound connection once max-connections are open.
            if online[index], connectionOf[index] == nil, connections.count < scenario.maxConnections {
                open(index, direction: .inbound)
            }
        case .remoteClose(let index):
            if online[index] {
                online[index] = false
                countReachable(index, delta: -1)
            }
            if let connection = connectionOf[index] { close(connection, loss: "offline") }
        case .back(let index):
            if !online[index] {
                online[index] = true
                countReachable(index, delta: 1)
            }
        case .reachability(let online):
            deliver(.networkReachability(online: online))
        }
    }
}
