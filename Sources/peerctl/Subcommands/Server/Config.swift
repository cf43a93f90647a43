import ArgumentParser
import PeerClient
import PeerWire

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show peerd's effective settings (GetConfiguration).",
        discussion: """
            Limits, relay/service ratio, cluster and shards, dial timeout, backoff, prune interval, \
            socket and metrics address, as peerd resolved them from its flags.

            Example: peerctl config --json
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let config = try await withPeerd(connection) { try await $0.peerManager.getConfiguration(options: .peerctl) }
        try Output.show(
            output, json: { WireJSON.configuration(config) }, human: { HumanViews.configuration(config).render() })
    }
}
