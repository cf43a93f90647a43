import PeerCore
import PeerIdentity
import PeerTrace
import PeerWire
import TTRPCServer

/// AddPeer, RemovePeer, GetPeer, ListPeers, AddServicePeer, RemoveServicePeer.
extension PeerManagerService {
    static let defaultPageSize = 100
    static let maxPageSize = 1000

    func registerPeers(in router: inout RPCRouter) {
        // The four changes a client is told are done reply after the peer store committed them.
        router.unary(PeerManagerV1.PeerManager.addPeer) { request, _ in
            let info = try peerInfo(from: request.source)
            guard let origin = request.origin.engineValue else {
                throw PeerManagerError.badRequest("origin \(request.origin.rawValue) is not a known origin")
            }
            let stored = try runtime.perform { engine, now, _ in
                runtime.hostTrace?.record(.peerAdded(info, origin: origin), at: now)
                let actions = engine.addPeer(info, origin: origin, now: now)
                if actions.decisions.contains(where: { $0.reason == .peerIgnoredSelf }) {
                    throw PeerManagerError.isSelf(info.id)
                }
                try refuseOverLimit(actions, field: "peer")
                return (try record(info.id, in: engine), actions)
            }
            try await runtime.commitAcknowledged([info.id])
            return reply(stored)
        }
        router.unary(PeerManagerV1.PeerManager.removePeer) { request, _ in
            let peer = try WireInput.peerID(request.peerID)
            let removed = runtime.perform { engine, now, _ in
                let known = engine.store.contains(peer)
                return (known, known ? engine.removePeer(peer, now: now) : [])
            }
            if removed { try await runtime.commitAcknowledged([peer]) }
            return PeerManagerV1.RemovePeerResponse(removed: removed)
        }
        router.inline(PeerManagerV1.PeerManager.getPeer) { request, _ in
            let peer = try WireInput.peerID(request.peerID)
            return PeerManagerV1.Peer(try runtime.read { engine, _, _ in try record(peer, in: engine) }, texts: texts)
        }
        router.inline(PeerManagerV1.PeerManager.listPeers) { request, _ in
            try list(request)
        }
        router.unary(PeerManagerV1.PeerManager.addServicePeer) { request, _ in
            let info = PeerInfo(try WireInput.remotePeer(request.address, field: "address"))
            guard !request.protocol.isEmpty else { throw PeerManagerError.empty(field: "protocol") }
            let stored = try runtime.perform { engine, now, _ in
                let actions = engine.addServicePeer(info, protocolID: request.protocol, now: now)
                try refuseOverLimit(actions, field: "address")
                if let refusal = actions.decisions.first(where: {
                    $0.reason == .serviceSlotRefusedRelay || $0.reason == .serviceSlotsFull
                }) {
                    throw refusal.reason == .serviceSlotsFull
                        ? PeerManagerError.exhausted(refusal.detail) : PeerManagerError.badRequest(refusal.detail)
                }
                return (try record(info.id, in: engine), actions)
            }
            try await runtime.commitAcknowledged([info.id], slots: true)
            return reply(stored)
        }
        router.unary(PeerManagerV1.PeerManager.removeServicePeer) { request, _ in
            let peer = try WireInput.peerID(request.peerID)
            let removed = runtime.perform { engine, _, _ in
                let slotted = engine.serviceSlots.peers(for: request.protocol).contains(peer)
                return (slotted, engine.removeServicePeer(peer, protocolID: request.protocol))
            }
            if removed { try await runtime.commitAcknowledged([], slots: true) }
            return PeerManagerV1.RemovePeerResponse(removed: removed)
        }
    }

    /// A peer from an AddPeer request: text (multiaddr with /p2p, or ENR) or structured.
    private func peerInfo(from source: PeerManagerV1.AddPeerRequest.OneOf_Source?) throws -> PeerInfo {
        switch source {
        case .address(let text):
            return PeerInfo(try WireInput.remotePeer(text, field: "address"))
        case .peer(let peer):
            let id = try WireInput.peerID(peer.peerID, field: "peer.peer_id")
            var info = PeerInfo(
                id: id,
                addresses: try peer.addresses.map { try WireInput.multiaddr($0, field: "peer.addresses") },
                protocols: peer.protocols,
                publicKey: peer.publicKey.isEmpty
                    ? nil : try WireInput.publicKey(peer.publicKey, of: id, field: "peer.public_key"),
                agent: peer.agent.isEmpty ? nil : peer.agent,
                protocolVersion: peer.protocolVersion.isEmpty ? nil : peer.protocolVersion)
            if !peer.enr.isEmpty {
                let remote = try WireInput.remotePeer(peer.enr, field: "peer.enr")
                guard remote.peerID == info.id else {
                    throw PeerManagerError.badRequest("peer.enr belongs to \(remote.peerID), not \(info.id)")
                }
                info.enr = PeerInfo(remote).enr
                if info.addresses.isEmpty { info.addresses = remote.addrs }
            }
            return info
        case nil:
            throw PeerManagerError.badRequest("AddPeer needs an address or a peer")
        }
    }

    /// The engine's refusal of a new peer as a status: over a per-peer limit (INVALID_ARGUMENT,
    /// the detail names the limit and its flag) or a full store (RESOURCE_EXHAUSTED).
    private func refuseOverLimit(_ actions: [EngineAction], field: String) throws {
        for decision in actions.decisions {
            switch decision.reason {
            case .peerRefusedLimit: throw PeerManagerError.invalid(field: field, reason: decision.detail)
            case .storeFull: throw PeerManagerError.exhausted(decision.detail)
            default: continue
            }
        }
    }

    /// The stored record of `peer` with its protection tags (under the engine lock).
    func record(_ peer: PeerID, in engine: PeerEngine) throws -> TaggedRecord {
        guard let record = engine.store.record(peer) else { throw PeerManagerError.notFound(peer) }
        return TaggedRecord(record: record, tags: engine.protection.tags(of: peer))
    }

    /// The reply for a stored peer (after the engine lock).
    private func reply(_ stored: TaggedRecord) -> PeerManagerV1.AddPeerResponse {
        PeerManagerV1.AddPeerResponse(peer: PeerManagerV1.Peer(stored, texts: texts))
    }

    /// Filters in index order, sorts by peer id for stable paging; the page token is the last id
    /// of the previous page. The page's records are taken under the engine lock and converted
    /// after it.
    private func list(_ request: PeerManagerV1.ListPeersRequest) throws -> PeerManagerV1.ListPeersResponse {
        let pageSize = request.pageSize == 0 ? Self.defaultPageSize : Int(request.pageSize)
        guard pageSize <= Self.maxPageSize else {
            throw PeerManagerError.badRequest("page_size \(pageSize) exceeds the maximum of \(Self.maxPageSize)")
        }
        let after = request.pageToken.isEmpty ? nil : try WireInput.peerID(request.pageToken, field: "page_token")
        let connectedness = try request.connectedness.map { value -> Connectedness in
            guard let known = value.engineValue else {
                throw PeerManagerError.badRequest("connectedness \(value.rawValue) is not known")
            }
            return known
        }
        let origin = try request.origin.map { value -> PeerOrigin in
            guard let known = value.engineValue else {
                throw PeerManagerError.badRequest("origin \(value.rawValue) is not known")
            }
            return known
        }
        let direction = try request.direction.map { value -> PeerDirection in
            guard let known = value.knownEngineValue else {
                throw PeerManagerError.badRequest("direction \(value.rawValue) is not known")
            }
            return known
        }
        let (page, total, remaining) = try runtime.read { engine, _, _ in
            try pageRecords(
                request, after: after, connectedness: connectedness, origin: origin, direction: direction,
                pageSize: pageSize, in: engine)
        }
        // The page ends at `pageSize` peers or when the next peer would take the reply over the
        // frame size, whichever comes first (always at least one peer): per-peer limits bound a
        // peer's size, but not so that any page size fits every frame size.
        var peers: [PeerManagerV1.Peer] = []
        var bytes = 0
        for stored in page {
            let peer = PeerManagerV1.Peer(stored, texts: texts)
            let size = Self.encodedSizeBound(of: peer)
            if !peers.isEmpty, bytes + size > settings.maxReplyBytes - Self.replyOverhead { break }
            bytes += size
            peers.append(peer)
        }
        let next = peers.count < remaining ? peers.last?.peerID ?? "" : ""
        return PeerManagerV1.ListPeersResponse(peers: peers, nextPageToken: next, total: UInt32(clamping: total))
    }

    /// The records of a ListPeers page (at most `pageSize`, with their tags), how many peers match
    /// in all, and how many match from the page's start on.
    private func pageRecords(
        _ request: PeerManagerV1.ListPeersRequest, after: PeerID?, connectedness: Connectedness?, origin: PeerOrigin?,
        direction: PeerDirection?, pageSize: Int, in engine: PeerEngine
    ) throws -> (page: [TaggedRecord], total: Int, remaining: Int) {
        // A shard filter (in the request's cluster or peerd's), or a cluster filter alone.
        var shard: RelayShard?
        if let requested = request.shard,
            case .shard(let topic) = try shardFilter(
                pubsubTopic: "", shard: requested, clusterID: request.clusterID, engine: engine)
        {
            shard = topic
        }
        let clusterOnly =
            request.shard == nil ? try request.clusterID.map { try WireInput.uint16($0, field: "cluster_id") } : nil
        let capabilities = WakuCapabilities(rawValue: UInt8(truncatingIfNeeded: request.capabilities))

        let candidates: [PeerID]
        if request.protocol.isEmpty {
            candidates = engine.store.records().map(\.id)
        } else if request.protocolPrefix {
            candidates = engine.store.peers(withProtocolPrefix: request.protocol)
        } else {
            candidates = engine.store.peers(supporting: request.protocol)
        }
        var matches: [PeerRecord] = []
        for id in candidates {
            guard let record = engine.store.record(id) else { continue }
            if let connectedness, record.connectedness != connectedness { continue }
            if let direction, record.direction != direction { continue }
            if let origin, record.origin != origin { continue }
            if let shard, !record.serves(shard) { continue }
            if let clusterOnly,
                record.enr?.relayShards?.clusterID != clusterOnly && record.metadataShards?.clusterID != clusterOnly
            {
                continue
            }
            if !capabilities.isEmpty, !(record.enr?.capabilities.isSuperset(of: capabilities) ?? false) { continue }
            matches.append(record)
        }
        matches.sort { $0.id < $1.id }
        let start = after.map { token in matches.firstIndex { $0.id > token } ?? matches.endIndex } ?? 0
        let page = matches[start...].prefix(pageSize).map {
            TaggedRecord(record: $0, tags: engine.protection.tags(of: $0.id))
        }
        return (page, matches.count, matches.count - start)
    }

    /// Room kept in a ListPeers reply for everything but the peers (envelope, status, page token,
    /// total): a page token is one peer id text.
    static let replyOverhead = 512

    /// An upper bound of a peer's protobuf size inside a reply: each string or bytes field costs
    /// its bytes plus at most 6 (tag and length), scalars and shard lists a bounded amount.
    static func encodedSizeBound(of peer: PeerManagerV1.Peer) -> Int {
        let strings = [peer.peerID, peer.agent, peer.protocolVersion, peer.enr]
        let lists = [peer.addresses, peer.protocols, peer.protectionTags]
        var size = 6 + 6 + peer.publicKey.count + 96  // the entry itself, the key, the scalars
        for text in strings { size += 6 + text.utf8.count }
        for list in lists { for text in list { size += 6 + text.utf8.count } }
        for shards in [peer.enrShards, peer.metadataShards] {
            if let shards { size += 16 + 4 * shards.shardIDs.count }
        }
        return size
    }
}
