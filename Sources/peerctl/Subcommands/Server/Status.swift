import ArgumentParser
import PeerClient
import PeerWire

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the peer store and connection statistics against their targets (GetStatistics).",
        discussion: """
            Store size against capacity, connections against the maximum, relay in/out against \
            their targets, service peers, peers not connected and outside their backoff, protected \
            peers, dials in flight, online, host attached. `stats` is the same command.

            Example: peerctl status --json
            """,
        aliases: ["stats"])

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let stats = try await withPeerd(connection) { try await $0.peerManager.getStatistics(options: .peerctl) }
        try Output.show(
            output, json: { WireJSON.statistics(stats) }, human: { HumanViews.statistics(stats).render() })
    }
}
