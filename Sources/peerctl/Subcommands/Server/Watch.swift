import ArgumentParser
import Foundation
import PeerClient
import PeerWire

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream peerd's decisions and peer events as they happen (Watch).",
        discussion: """
            One line per event until interrupted (Ctrl-C) or until --count events: the time, then \
            a decision's reason code, detail and peers, or a peer event (added, removed, connected, \
            disconnected) and its peer, and with --connection-status the host's connection status \
            (nwaku's) when it changes. With --json, one JSON object per line. Each line is written \
            at once, so the output can be piped.

            Example: peerctl watch --decisions-only
            Example: peerctl watch --json --count 10 | jq .reason
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Only decision records.") var decisionsOnly = false
    @Flag(help: "Only peer events (added, removed, connected, disconnected).") var peerEventsOnly = false
    @Flag(help: "Also the host's connection status (connected, partially_connected, disconnected) when it changes.")
    var connectionStatus = false
    @Option(help: "Stop after this many events (default: run until interrupted).") var count: UInt64?

    func validate() throws {
        if decisionsOnly && peerEventsOnly {
            throw ValidationError("--decisions-only and --peer-events-only exclude each other")
        }
        if count == 0 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let request = PeerManagerV1.WatchRequest(
            decisions: !peerEventsOnly, peerEvents: !decisionsOnly, connectionStatus: connectionStatus)
        let output = self.output
        let limit = count
        try await withPeerd(connection) { peerd in
            var seen: UInt64 = 0
            for try await event in try await peerd.peerManager.watch(request) {
                if output.json {
                    try JSONOutput.printLine(WireJSON.watchEvent(event))
                } else {
                    let line = HumanText.printable(HumanViews.watchLine(event, wide: output.wide))
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                }
                seen += 1
                if let limit, seen >= limit { return }
            }
        }
    }
}
