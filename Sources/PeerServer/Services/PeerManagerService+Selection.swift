import PeerCore
import PeerWire
import TTRPCServer

/// SelectPeer and SelectPeers (nwaku selectPeer / selectPeers): the hot path, answered inline.
extension PeerManagerService {
    func registerSelection(in router: inout RPCRouter) {
        let service = Self.serviceName
        router.inlineEncoded(service, "SelectPeer") { (request: PeerManagerV1.SelectPeerRequest, _) in
            guard !request.protocol.isEmpty else { throw PeerManagerError.empty(field: "protocol") }
            let chosen = try runtime.read { engine, _, rng -> TaggedRecord? in
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
                return record.map { TaggedRecord(record: $0, tags: engine.protection.tags(of: $0.id)) }
            }
            // The reply is built (or found encoded) after the engine lock.
            guard let chosen else { return PeerManagerV1.SelectPeerResponse().encoded() }
            return replies.reply(for: chosen.record, tags: chosen.tags) {
                PeerManagerV1.SelectPeerResponse(peer: PeerManagerV1.Peer(chosen, texts: texts)).encoded()
            }
        }
        router.inline(service, "SelectPeers") { (request: PeerManagerV1.SelectPeersRequest, _) in
            guard !request.protocol.isEmpty else { throw PeerManagerError.empty(field: "protocol") }
            let limit = request.count == 0 ? Int.max : Int(request.count)
            let chosen = try runtime.read { engine, _, rng -> [TaggedRecord] in
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
                return records.map { TaggedRecord(record: $0, tags: engine.protection.tags(of: $0.id)) }
            }
            return PeerManagerV1.SelectPeersResponse(peers: chosen.map { PeerManagerV1.Peer($0, texts: texts) })
        }
    }
}
