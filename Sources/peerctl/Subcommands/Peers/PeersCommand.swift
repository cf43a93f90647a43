import ArgumentParser
import PeerClient
import PeerWire

/// `peerctl peers ...`: peerd's peer store.
struct PeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers", abstract: "Inspect and change peerd's peer store.",
        subcommands: [ListPeers.self, GetPeer.self, AddPeer.self, RemovePeer.self, Select.self])
}

extension PeerdClient {
    /// What a peer table needs besides the peers: the backoff settings (one GetConfiguration on
    /// the same connection) for the next-retry column, and the clock.
    func tableContext(_ output: OutputOptions) async throws -> PeerTable.Context {
        PeerTable.Context(
            configuration: try await peerManager.getConfiguration(options: .peerctl), nowMs: HumanText.nowMs(),
            wide: output.wide)
    }
}

/// Enum values by their names in the JSON output (`not_connected`, `outbound`, `dns`), for options.
enum WireName {
    static func parse(_ name: String?, in names: [String], option: String) throws -> Int32? {
        guard let name else { return nil }
        guard let index = names.firstIndex(of: name) else {
            throw ValidationError("\(option) must be one of \(names.joined(separator: ", "))")
        }
        return Int32(index)
    }
}
