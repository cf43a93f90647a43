import PeerIdentity

/// Selection with the engine's own generator, specialized here.
///
/// The selection functions are generic over the generator. Called from another module (the
/// server) they run unspecialized: every draw and every `randomElement` goes through generic
/// metadata and witness tables. These entry points name the concrete generator, so the
/// compiler specializes the generic bodies inside this module.
extension PeerEngine {
    public func selectPeer(protocolID: String, shard: RelayShard? = nil, random: inout EngineRandom) -> PeerRecord? {
        selectPeer(protocolID: protocolID, shard: shard, using: &random)
    }

    public func selectPeers(
        protocolID: String, shard: RelayShard? = nil, limit: Int = .max, random: inout EngineRandom
    ) -> [PeerRecord] {
        selectPeers(protocolID: protocolID, shard: shard, limit: limit, using: &random)
    }
}
