import PeerClient
import PeerWire

/// Slots a store peer, then asks peerd which peer serves the store protocol.
func storePeer(socket: String? = nil) async throws -> String? {  // nil: peerd's default socket
    try await withPeerdClient(socketPath: socket) { client in
        let store = "/vac/waku/store-query/3.0.0"
        let address = "/ip4/192.0.2.1/tcp/60000/p2p/12D3KooWEG15QpUHB5wcNYSjCuKorxGvZyLWdPoKVqidbrdaU3Mi"
        _ = try await client.peerManager.addServicePeer(.init(address: address, protocol: store))
        let reply = try await client.peerManager.selectPeer(
            .init(protocol: store), options: CallOptions(timeout: .seconds(1)))
        return reply.peer?.peerID  // a non-OK status throws PeerdClientError(code:message:)
    }
}
