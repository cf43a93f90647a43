import ArgumentParser

/// The operator CLI. This root only lists subcommands; each lives in `Subcommands/`.
@main
struct Peerctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peerctl",
        abstract: "Operator tool for peerd, the Waku/libp2p peer-manager sidecar.",
        discussion: """
            Client commands (health, info, stats, peers, watch) talk to a running peerd over its \
            socket (--socket, default: peerd's default path) and print JSON; an error is one line \
            on stderr and exit status 1. Offline tools (enr, multiaddr) decode and validate peer \
            identities without touching the network; they exit with status 1 when the input is \
            invalid.
            """,
        subcommands: [
            Health.self, Info.self, Stats.self, PeersCommand.self, Watch.self, EnrCommand.self, MultiaddrCommand.self,
        ])
}
