import NIOCore
@_spi(Fuzzing) import PeerServer
import PeerWire

/// Host events: decoded from the wire, converted to engine events and applied to a fresh engine,
/// as Attach and ReportEvents do.
///
/// Input: byte 0 is the batch size (events per engine lock); then messages, each a length byte
/// and that many bytes of an encoded `HostEvent`. The first message is the hello when it is one.
enum HostEventsTarget {
    @Sendable static func run(_ input: [UInt8]) {
        guard let batch = input.first else { return }
        var messages: [[UInt8]] = []
        var offset = 1
        while offset < input.count {
            let length = Int(input[offset])
            let end = min(input.count, offset + 1 + length)
            messages.append(Array(input[(offset + 1)..<end]))
            offset = end
        }
        let server: FuzzingServer
        do { server = try FuzzingServer() } catch { violated("the fuzzing server cannot start: \(error)") }
        HostEventFuzzing.apply(messages, batch: Int(batch % 8), to: server)
        server.shutDown()
    }

    @Sendable static func seeds() -> [[UInt8]] {
        let host = "16Uiu2HAkvWiyFsgRhuJEb9JfjYxEkoHLgnUQmr1N5mKWnYjxYRVm"
        let peer = "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ"
        let relay = "/vac/waku/relay/2.0.0"
        let events: [PeerManagerV1.HostEvent.OneOf_Event] = [
            .hello(.init(peerID: host, listenAddresses: ["/ip4/10.0.0.2/tcp/60000"], clusterID: 1, shards: [0])),
            .connectionOpened(
                .init(
                    connectionID: 7, peerID: peer, direction: .init(rawValue: 2),
                    observedAddress: "/ip4/10.0.0.1/tcp/60000")),
            .identified(
                .init(peerID: peer, protocols: [relay], agent: "nwaku", listenAddresses: ["/ip4/10.0.0.1/tcp/60000"])),
            .streamOpened(.init(peerID: peer, protocol: relay, direction: .init(rawValue: 2))),
            .metadata(.init(peerID: peer, result: .received(.init(clusterID: 1, shards: [0, 1])))),
            .streamClosed(.init(peerID: peer, protocol: relay, direction: .init(rawValue: 2))),
            .commandResult(.init(commandID: 1, outcome: .succeeded(true))),
            .reachability(.init(online: true)),
            .connectionClosed(.init(connectionID: 7)),
        ]
        let encoded = events.map { event -> [UInt8] in
            let bytes = Array(PeerManagerV1.HostEvent(event: event).encoded().readableBytesView)
            return [UInt8(min(bytes.count, 255))] + bytes.prefix(255)
        }
        return [
            [1] + encoded.joined(),
            [4] + encoded.joined(),
            [1] + encoded[0] + encoded[1] + encoded[8],
            [2] + encoded.dropFirst().joined(),
        ]
    }
}
