import NIOCore
import PeerWire

/// Every protobuf message peerd decodes (the generated types in PeerWire/Generated): what
/// decodes encodes back and decodes to an equal message.
/// Input: byte 0 picks the message type (modulo their number); the rest is its encoding.
enum MessagesTarget {
    /// One decoder per message type, in a fixed order (a seed's first byte names its type).
    static let checks: [@Sendable (ByteBuffer) -> Void] = [
        { roundTrip(GrpcHealthV1.HealthCheckRequest.self, $0) },
        { roundTrip(GrpcHealthV1.HealthCheckResponse.self, $0) },
        { roundTrip(PeerManagerV1.RelayShards.self, $0) },
        { roundTrip(PeerManagerV1.Peer.self, $0) },
        { roundTrip(PeerManagerV1.Decision.self, $0) },
        { roundTrip(PeerManagerV1.HostHello.self, $0) },
        { roundTrip(PeerManagerV1.ConnectionOpened.self, $0) },
        { roundTrip(PeerManagerV1.ConnectionClosed.self, $0) },
        { roundTrip(PeerManagerV1.StreamEvent.self, $0) },
        { roundTrip(PeerManagerV1.Identified.self, $0) },
        { roundTrip(PeerManagerV1.MetadataInfo.self, $0) },
        { roundTrip(PeerManagerV1.MetadataReport.self, $0) },
        { roundTrip(PeerManagerV1.CommandResult.self, $0) },
        { roundTrip(PeerManagerV1.Reachability.self, $0) },
        { roundTrip(PeerManagerV1.HostEvent.self, $0) },
        { roundTrip(PeerManagerV1.DialCommand.self, $0) },
        { roundTrip(PeerManagerV1.DisconnectCommand.self, $0) },
        { roundTrip(PeerManagerV1.RequestMetadataCommand.self, $0) },
        { roundTrip(PeerManagerV1.HostCommand.self, $0) },
        { roundTrip(PeerManagerV1.ReportEventsRequest.self, $0) },
        { roundTrip(PeerManagerV1.ReportEventsResponse.self, $0) },
        { roundTrip(PeerManagerV1.PollCommandsRequest.self, $0) },
        { roundTrip(PeerManagerV1.PollCommandsResponse.self, $0) },
        { roundTrip(PeerManagerV1.GetInfoRequest.self, $0) },
        { roundTrip(PeerManagerV1.GetInfoResponse.self, $0) },
        { roundTrip(PeerManagerV1.AddPeerRequest.self, $0) },
        { roundTrip(PeerManagerV1.AddPeerResponse.self, $0) },
        { roundTrip(PeerManagerV1.RemovePeerRequest.self, $0) },
        { roundTrip(PeerManagerV1.RemovePeerResponse.self, $0) },
        { roundTrip(PeerManagerV1.GetPeerRequest.self, $0) },
        { roundTrip(PeerManagerV1.ListPeersRequest.self, $0) },
        { roundTrip(PeerManagerV1.ListPeersResponse.self, $0) },
        { roundTrip(PeerManagerV1.SelectPeerRequest.self, $0) },
        { roundTrip(PeerManagerV1.SelectPeerResponse.self, $0) },
        { roundTrip(PeerManagerV1.SelectPeersRequest.self, $0) },
        { roundTrip(PeerManagerV1.SelectPeersResponse.self, $0) },
        { roundTrip(PeerManagerV1.AddServicePeerRequest.self, $0) },
        { roundTrip(PeerManagerV1.RemoveServicePeerRequest.self, $0) },
        { roundTrip(PeerManagerV1.ConnectedPeersRequest.self, $0) },
        { roundTrip(PeerManagerV1.ProtocolStreams.self, $0) },
        { roundTrip(PeerManagerV1.ConnectedPeer.self, $0) },
        { roundTrip(PeerManagerV1.ConnectedPeersResponse.self, $0) },
        { roundTrip(PeerManagerV1.ConnectRequest.self, $0) },
        { roundTrip(PeerManagerV1.ConnectOutcome.self, $0) },
        { roundTrip(PeerManagerV1.ConnectResponse.self, $0) },
        { roundTrip(PeerManagerV1.DisconnectRequest.self, $0) },
        { roundTrip(PeerManagerV1.DisconnectResponse.self, $0) },
        { roundTrip(PeerManagerV1.ReconnectRequest.self, $0) },
        { roundTrip(PeerManagerV1.ReconnectResponse.self, $0) },
        { roundTrip(PeerManagerV1.CanBeConnectedRequest.self, $0) },
        { roundTrip(PeerManagerV1.CanBeConnectedResponse.self, $0) },
        { roundTrip(PeerManagerV1.ProtectRequest.self, $0) },
        { roundTrip(PeerManagerV1.ProtectResponse.self, $0) },
        { roundTrip(PeerManagerV1.GetStatisticsRequest.self, $0) },
        { roundTrip(PeerManagerV1.Statistics.self, $0) },
        { roundTrip(PeerManagerV1.GetConfigurationRequest.self, $0) },
        { roundTrip(PeerManagerV1.Configuration.self, $0) },
        { roundTrip(PeerManagerV1.WatchRequest.self, $0) },
        { roundTrip(PeerManagerV1.PeerEvent.self, $0) },
        { roundTrip(PeerManagerV1.WatchEvent.self, $0) },
    ]

    @Sendable static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        checks[Int(selector) % checks.count](ByteBuffer(bytes: input.dropFirst()))
    }

    /// Decodes `bytes` as `Message`; what decodes must encode and decode again to an equal value.
    static func roundTrip<Message: WireMessage & Equatable>(_: Message.Type, _ bytes: ByteBuffer) {
        guard let message = try? Message(wire: bytes) else { return }
        let encoded = message.encoded()
        let again: Message
        do { again = try Message(wire: encoded) } catch {
            violated("\(Message.protobufName): a decoded message encodes to bytes that do not decode: \(error)")
        }
        guard again == message else {
            violated("\(Message.protobufName): a decoded message does not survive encoding and decoding")
        }
    }

    @Sendable static func seeds() -> [[UInt8]] {
        let peer = "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ"
        // Every type with an empty message, then a few with fields set.
        var seeds = (0..<checks.count).map { [UInt8($0)] }
        func seed(_ message: some WireMessage) {
            let name = type(of: message).protobufName
            guard let index = order.firstIndex(of: name) else { return }
            seeds.append([UInt8(index)] + Array(message.encoded().readableBytesView))
        }
        seed(
            PeerManagerV1.AddPeerRequest(
                source: .peer(
                    .init(
                        peerID: peer, addresses: ["/ip4/1.2.3.4/tcp/60000"], protocols: ["/vac/waku/relay/2.0.0"],
                        agent: "nwaku"))))
        seed(PeerManagerV1.ConnectRequest(peers: [peer, "/dns4/example.org/tcp/443/wss/p2p/\(peer)"], timeoutMs: 5000))
        seed(PeerManagerV1.ListPeersRequest(protocol: "/vac/waku/", protocolPrefix: true, clusterID: 1, shard: 3))
        seed(PeerManagerV1.SelectPeersRequest(protocol: "/vac/waku/store/2.0.0-beta4", count: 3))
        seed(
            PeerManagerV1.HostHello(
                peerID: peer, listenAddresses: ["/ip4/0.0.0.0/tcp/60000"], clusterID: 1, shards: [0, 1]))
        return seeds
    }

    /// The protobuf names in the order of `checks`.
    private static let order: [String] = [
        GrpcHealthV1.HealthCheckRequest.protobufName,
        GrpcHealthV1.HealthCheckResponse.protobufName,
        PeerManagerV1.RelayShards.protobufName,
        PeerManagerV1.Peer.protobufName,
        PeerManagerV1.Decision.protobufName,
        PeerManagerV1.HostHello.protobufName,
        PeerManagerV1.ConnectionOpened.protobufName,
        PeerManagerV1.ConnectionClosed.protobufName,
        PeerManagerV1.StreamEvent.protobufName,
        PeerManagerV1.Identified.protobufName,
        PeerManagerV1.MetadataInfo.protobufName,
        PeerManagerV1.MetadataReport.protobufName,
        PeerManagerV1.CommandResult.protobufName,
        PeerManagerV1.Reachability.protobufName,
        PeerManagerV1.HostEvent.protobufName,
        PeerManagerV1.DialCommand.protobufName,
        PeerManagerV1.DisconnectCommand.protobufName,
        PeerManagerV1.RequestMetadataCommand.protobufName,
        PeerManagerV1.HostCommand.protobufName,
        PeerManagerV1.ReportEventsRequest.protobufName,
        PeerManagerV1.ReportEventsResponse.protobufName,
        PeerManagerV1.PollCommandsRequest.protobufName,
        PeerManagerV1.PollCommandsResponse.protobufName,
        PeerManagerV1.GetInfoRequest.protobufName,
        PeerManagerV1.GetInfoResponse.protobufName,
        PeerManagerV1.AddPeerRequest.protobufName,
        PeerManagerV1.AddPeerResponse.protobufName,
        PeerManagerV1.RemovePeerRequest.protobufName,
        PeerManagerV1.RemovePeerResponse.protobufName,
        PeerManagerV1.GetPeerRequest.protobufName,
        PeerManagerV1.ListPeersRequest.protobufName,
        PeerManagerV1.ListPeersResponse.protobufName,
        PeerManagerV1.SelectPeerRequest.protobufName,
        PeerManagerV1.SelectPeerResponse.protobufName,
        PeerManagerV1.SelectPeersRequest.protobufName,
        PeerManagerV1.SelectPeersResponse.protobufName,
        PeerManagerV1.AddServicePeerRequest.protobufName,
        PeerManagerV1.RemoveServicePeerRequest.protobufName,
        PeerManagerV1.ConnectedPeersRequest.protobufName,
        PeerManagerV1.ProtocolStreams.protobufName,
        PeerManagerV1.ConnectedPeer.protobufName,
        PeerManagerV1.ConnectedPeersResponse.protobufName,
        PeerManagerV1.ConnectRequest.protobufName,
        PeerManagerV1.ConnectOutcome.protobufName,
        PeerManagerV1.ConnectResponse.protobufName,
        PeerManagerV1.DisconnectRequest.protobufName,
        PeerManagerV1.DisconnectResponse.protobufName,
        PeerManagerV1.ReconnectRequest.protobufName,
        PeerManagerV1.ReconnectResponse.protobufName,
        PeerManagerV1.CanBeConnectedRequest.protobufName,
        PeerManagerV1.CanBeConnectedResponse.protobufName,
        PeerManagerV1.ProtectRequest.protobufName,
        PeerManagerV1.ProtectResponse.protobufName,
        PeerManagerV1.GetStatisticsRequest.protobufName,
        PeerManagerV1.Statistics.protobufName,
        PeerManagerV1.GetConfigurationRequest.protobufName,
        PeerManagerV1.Configuration.protobufName,
        PeerManagerV1.WatchRequest.protobufName,
        PeerManagerV1.PeerEvent.protobufName,
        PeerManagerV1.WatchEvent.protobufName,
    ]
}
