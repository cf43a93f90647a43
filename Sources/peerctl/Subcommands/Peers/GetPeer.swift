import ArgumentParser
import PeerClient
import PeerWire

struct GetPeer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Show everything known about one peer (GetPeer).",
        discussion: """
            Every field: addresses, protocols, shards, capabilities, failed dials and the next \
            retry, protection tags, agent, ENR. An unknown peer is NOT_FOUND (exit status 1).

            Example: peerctl peers get 16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id (16Uiu2..., 12D3KooW...).") var peerID: String

    func run() async throws {
        let output = self.output
        let request = PeerManagerV1.GetPeerRequest(peerID: peerID)
        let (peer, context) = try await withPeerd(connection) { peerd in
            (try await peerd.peerManager.getPeer(request, options: .peerctl), try await peerd.tableContext(output))
        }
        try Output.show(output, json: { WireJSON.peer(peer) }, human: { PeerTable.details(peer, context).render() })
    }
}
