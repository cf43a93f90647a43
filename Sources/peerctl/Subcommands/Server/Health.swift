import ArgumentParser
import PeerWire

struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask peerd whether it is serving (grpc.health.v1.Health/Check).",
        discussion: "Prints SERVING or NOT_SERVING; exits with status 1 unless SERVING.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try runClient {
            let response: PeerWire.Health.CheckResponse = try connection.connect().call(
                PeerWire.Health.serviceName, "Check", PeerWire.Health.CheckRequest(), timeout: .seconds(5))
            print(response.status)
            if response.status != .serving { throw ExitCode.failure }
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show peerd's version, protocol, services and limits.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try runClient {
            let info: PeerManagerV1.GetInfoResponse = try connection.connect().call(
                PeerManagerCommand.service, "GetInfo", PeerManagerV1.GetInfoRequest())
            try JSONOutput.print([
                "version": info.version, "protocol": info.protocol, "uptime_seconds": info.uptimeSeconds,
                "services": info.services, "max_frame_size": info.maxFrameSize,
                "max_concurrent_streams": info.maxConcurrentStreams, "socket": connection.socketPath,
            ])
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the peer store and connection statistics against their targets.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try runClient {
            let stats: PeerManagerV1.Statistics = try connection.connect().call(
                PeerManagerCommand.service, "GetStatistics", PeerManagerV1.GetStatisticsRequest())
            try JSONOutput.print(WireJSON.statistics(stats))
        }
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream peerd's decisions and peer events, one JSON object per line, until interrupted.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Only decision records.") var decisionsOnly = false
    @Flag(help: "Only peer events (added, removed, connected, disconnected).") var peerEventsOnly = false

    func run() throws {
        try runClient {
            let request = PeerManagerV1.WatchRequest(decisions: !peerEventsOnly, peerEvents: !decisionsOnly)
            try connection.connect().stream(PeerManagerCommand.service, "Watch", request) {
                (event: PeerManagerV1.WatchEvent) in
                try JSONOutput.printLine(WireJSON.watchEvent(event))
            }
        }
    }
}

enum PeerManagerCommand {
    static let service = "waku.peermanager.v1.PeerManager"
}
