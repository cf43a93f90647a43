import ArgumentParser

/// The operator CLI. This root only lists subcommands; each lives in `Subcommands/`.
@main
struct Peerctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peerctl",
        abstract: "Operator tool for peerd, the Waku/libp2p peer-manager sidecar.",
        discussion: """
            Client commands talk to a running peerd over its socket: --socket (before or after the \
            subcommand), else $PEERD_SOCKET, else peerd's default path. They print a table or \
            aligned fields; --json prints JSON with the .proto's snake_case field names, for \
            scripts. A failed call prints one line on stderr, `peerctl: CODE: message` with the \
            gRPC status name (NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, ...), and exits \
            with status 1; so does a peerd that cannot be reached. Bad arguments exit with 64.

            Offline tools (enr, multiaddr) decode and validate peer identities without touching \
            the network; they print JSON and exit with status 1 when the input is invalid.

            Examples:
              peerctl status
              peerctl --socket /run/peerd/peerd.sock peers list --connectedness connected
              PEERD_SOCKET=/tmp/p.sock peerctl peers list --json | jq '.peers[].peer_id'
            """,
        subcommands: [
            Health.self, Info.self, Status.self, Config.self, PeersCommand.self, Select.self, Connected.self,
            Connect.self, Disconnect.self, Reconnect.self, CanConnect.self, Protect.self, Unprotect.self,
            ServicePeerCommand.self, Watch.self, EnrCommand.self, MultiaddrCommand.self,
        ])

    // Decoded here so that --socket and --json may come before the subcommand; the subcommands
    // declare the same groups and receive these values.
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
}
