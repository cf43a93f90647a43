import ArgumentParser
import PeerClient
import PeerWire

struct Disconnect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Disconnect one peer, or every peer, through the attached host (Disconnect, DisconnectAll).",
        discussion: """
            One peer: FAILED_PRECONDITION when it is not connected or no host is attached. --all: \
            nwaku's disconnectAllPeers, every connected peer, protected ones too; prints how many \
            peers were asked to disconnect.

            Example: peerctl disconnect 16Uiu2HAm...
            Example: peerctl disconnect --all
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id.") var peerID: String?
    @Flag(help: "Every connected peer.") var all = false

    func validate() throws {
        if all == (peerID != nil) { throw ValidationError("name one peer id, or --all") }
    }

    func run() async throws {
        guard let peerID else {
            let response = try await withPeerd(connection) {
                try await $0.peerManager.disconnectAll(options: .peerctl)
            }
            let count = response.disconnected
            return try Output.show(
                output, json: { ["disconnected": count] },
                human: { "disconnecting \(count) peer\(count == 1 ? "" : "s")\n" })
        }
        let request = PeerManagerV1.DisconnectRequest(peerID: peerID)
        _ = try await withPeerd(connection) { try await $0.peerManager.disconnect(request, options: .peerctl) }
        try Output.show(
            output, json: { ["peer_id": peerID, "disconnecting": true] }, human: { "disconnecting \(peerID)\n" })
    }
}
