import ArgumentParser

/// The operator CLI. This root only lists subcommands; each lives in `Subcommands/`.
@main
struct Peerctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peerctl",
        abstract: "Operator tool for peerd, the Waku/libp2p peer-manager sidecar.",
        discussion: """
            Offline tools decode and validate peer identities without touching the network; \
            they print JSON with sorted keys and exit with status 1 when the input is invalid.
            """,
        subcommands: [EnrCommand.self, MultiaddrCommand.self])
}
