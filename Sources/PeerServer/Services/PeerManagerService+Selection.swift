import PeerCore
import PeerWire
import TTRPCServer

/// SelectPeer and SelectPeers (nwaku selectPeer / selectPeers): the hot path, answered inline.
extension PeerManagerService {
    func registerSelection(in router: inout RPCRouter) {
        router.inlineEncoded(PeerManagerV1.PeerManager.selectPeer) { request, _ in
            guard !request.protocol.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "protocol is empty")
            }
            return try runtime.read { engine, _, rng in
                let record: PeerRecord?
                switch try shardFilter(
                    pubsubTopic: request.pubsubTopic, shard: request.shard, clusterID: request.clusterID, engine: engine
                )
                {
                case .none: record = engine.selectPeer(protocolID: request.protocol, random: &rng)
                case .shard(let shard):
                    record = engine.selectPeer(protocolID: request.protocol, shard: shard, random: &rng)
                case .invalid: record = nil
                }
                guard let record else { return PeerManagerV1.SelectPeerResponse().encoded() }
                // The encoder captures the protection book, not the engine: capturing the engine
                // copied all of it on every call.
                let protection = engine.protection
                return replies.reply(for: record, tags: protection.tags(of: record.id)) {
                    PeerManagerV1.SelectPeerResponse(
                        peer: PeerManagerV1.Peer(record, protection: protection, texts: texts)
                    ).encoded()
                }
            }
        }
        router.inline(PeerManagerV1.PeerManager.selectPeers) { request, _ in
            guard !request.protocol.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "protocol is empty")
            }
            let limit = request.count == 0 ? Int.max : Int(request.count)
            return try runtime.read { engine, _, rng in
                let records: [PeerRecord]
                switch try shardFilter(
                    pubsubTopic: request.pubsubTopic, shard: request.shard, clusterID: request.clusterID, engine: engine
                )
                {
                case .none: records = engine.selectPeers(protocolID: request.protocol, limit: limit, random: &rng)
                case .shard(let shard):
                    records = engine.selectPeers(protocolID: request.protocol, shard: shard, limit: limit, random: &rng)
                case .invalid: records = []
                }
                return PeerManagerV1.SelectPeersResponse(
                    peers: records.map { PeerManagerV1.Peer($0, protection: engine.protection, texts: texts) })
            }
        }
    }
}
