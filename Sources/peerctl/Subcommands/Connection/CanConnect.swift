import ArgumentParser
import PeerClient
import PeerWire

struct CanConnect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "can-connect",
        abstract: "Whether policy may dial a peer now, and if not when (CanBeConnected).",
        discussion: """
            Prints `allowed`, `not before <time> (in ...)` while the peer is in its failure \
            backoff, or `never` after too many failed dials. With --json: {"peer_id", "allowed", \
            "earliest_ms"}; earliest_ms is absent for never.

            Example: peerctl can-connect 16Uiu2HAm...
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id.") var peerID: String

    func run() async throws {
        let request = PeerManagerV1.CanBeConnectedRequest(peerID: peerID)
        let response = try await withPeerd(connection) {
            try await $0.peerManager.canBeConnected(request, options: .peerctl)
        }
        try Output.show(
            output, json: { WireJSON.canBeConnected(response, peerID: peerID) },
            human: { HumanViews.canBeConnected(response, nowMs: HumanText.nowMs()) + "\n" })
    }
}
