import ArgumentParser
import PeerClient
import PeerWire

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask peerd whether it is serving (grpc.health.v1.Health/Check).",
        discussion: """
            Prints SERVING or NOT_SERVING ({"status": "SERVING"} with --json); exits with status 1 \
            unless SERVING, so it fits a readiness probe.

            Example: peerctl health --socket /run/peerd/peerd.sock
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let response = try await withPeerd(connection) { peerd in
            try await peerd.health.check(.init(), options: CallOptions(timeout: .seconds(5)))
        }
        try Output.show(output, json: { ["status": "\(response.status)"] }, human: { "\(response.status)\n" })
        if response.status != .serving { throw ExitCode.failure }
    }
}
