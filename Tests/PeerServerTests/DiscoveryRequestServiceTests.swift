import PeerCore
import PeerTestSupport
import PeerWire
import Testing

/// The discovery request over the real socket: an attached host whose subscribed shard has no
/// peers at all receives `request_discovery` for it on its Attach stream.
@Suite("Discovery request in-process", .timeLimit(.minutes(1)))
struct DiscoveryRequestServiceTests {
    @Test("a host attached with an empty shard receives request_discovery{cluster, shard, wanted} and may answer it")
    func hostReceivesDiscoveryRequest() async throws {
        try await InProcessSidecar.run(configure: {
            $0.clusterID = 1
            $0.shards = [3]
            $0.connectivityInterval = .milliseconds(50)
            $0.minimumConnectivityInterval = .milliseconds(10)
        }) { sidecar in
            try await onThread {
                let host = try SocketClient(path: sidecar.socketPath, receiveTimeout: .seconds(10))
                try InProcessServiceTests.attach(host)
                var request: (id: UInt64, command: PeerManagerV1.RequestDiscoveryCommand)?
                while request == nil {
                    let frame = try host.readFrame()
                    try #require(frame.type == .data)
                    let command = try PeerManagerV1.HostCommand(wire: frame.payload)
                    if case .requestDiscovery(let discovery)? = command.command {
                        request = (command.commandID, discovery)
                    }
                }
                let received = try #require(request)
                // Shard 3 misses the floor of 4 peers, nobody is known, and the default 300 %
                // oversubscription wants three dials per missing peer.
                #expect(received.command == .init(clusterID: 1, shard: 3, wanted: 12))
                try host.send(
                    Frame(
                        streamID: 1, type: .data,
                        payload: PeerManagerV1.HostEvent(
                            event: .commandResult(.init(commandID: received.id, outcome: .failed("unsupported")))
                        ).encoded()))
            }
        }
    }
}
