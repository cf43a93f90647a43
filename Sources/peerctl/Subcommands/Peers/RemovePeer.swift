import ArgumentParser
import PeerClient
import PeerWire

struct RemovePeer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a peer from the store (RemovePeer).",
        discussion: """
            A connected peer stays until its last connection closes. Prints whether the peer was \
            removed ({"peer_id", "removed"} with --json); a peer that was not there is not an error.

            Example: peerctl peers remove 16Uiu2HAm...
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id.") var peerID: String

    func run() async throws {
        let request = PeerManagerV1.RemovePeerRequest(peerID: peerID)
        let response = try await withPeerd(connection) {
            try await $0.peerManager.removePeer(request, options: .peerctl)
        }
        try Output.show(
            output, json: { ["peer_id": peerID, "removed": response.removed] },
            human: { response.removed ? "removed \(peerID)\n" : "\(peerID) was not in the store\n" })
    }
}
