import NIOCore
import PeerWire
import TTRPCServer

/// `waku.peermanager.v1.PeerManager/GetInfo`: version, protocol, uptime, services and limits.
enum InfoService {
    static let serviceName = PeerManagerV1.PeerManager.serviceName
    static let wireProtocol = "ttrpc/1.2+peerd-cancel"

    static func register(
        in router: inout RPCRouter, version: String, configuration: ServerConfiguration,
        startedAt: ContinuousClock.Instant,
        services: [String]
    ) {
        router.inline(PeerManagerV1.PeerManager.getInfo) { _, _ in
            let uptime = ContinuousClock.now - startedAt
            return ServerInfo.Response(
                version: version, protocol: wireProtocol, uptimeSeconds: UInt64(max(0, uptime.components.seconds)),
                // ServerConfiguration.Bounds keeps both far below UInt32.max; a configuration
                // built in code without problems() must still not trap here.
                services: services, maxFrameSize: UInt32(clamping: configuration.maxFrameSize),
                maxConcurrentStreams: UInt32(clamping: configuration.maxConcurrentStreams)
            )
        }
    }
}
