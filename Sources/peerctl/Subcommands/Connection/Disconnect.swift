import ArgumentParser
import PeerClient
import PeerWire

struct Disconnect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Disconnect one peer through the attached host (Disconnect).",
        discussion: """
            FAILED_PRECONDITION when the peer is not connected or no host is attached.

            Example: peerctl disconnect 16Uiu2HAm...
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id.") var peerID: String

    func run() async throws {
        let request = PeerManagerV1.DisconnectRequest(peerID: peerID)
        _ = try await withPeerd(connection) { try await $0.peerManager.disconnect(request, options: .peerctl) }
        try Output.show(
            output, json: { ["peer_id": peerID, "disconnecting": true] }, human: { "disconnecting \(peerID)\n" })
    }
}
