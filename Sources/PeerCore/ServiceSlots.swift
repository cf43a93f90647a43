import PeerIdentity

/// Peers chosen by the operator to serve a protocol (store, filter, lightpush, ...).
///
/// nwaku keeps one peer per protocol and limits the number of *protocols* to the service target.
/// We keep an ordered set of peers per protocol and limit the number of distinct slotted *peers*
/// to the service target, which is what the relay/service split is about. Relay is refused:
/// relay peers are managed by the connectivity loop.
public struct ServiceSlots: Sendable, Hashable {
    /// The most distinct peers that may hold slots (the service target).
    public let maxPeers: Int
    private(set) var peersByProtocol: [String: [PeerID]] = [:]
    private(set) var slotCounts: [PeerID: Int] = [:]

    public init(maxPeers: Int) { self.maxPeers = maxPeers }

    /// The slotted peers for `protocol`, in the order they were added.
    public func peers(for protocolID: String) -> [PeerID] {
        // Most nodes configure no slots: answer without hashing the protocol id.
        peersByProtocol.isEmpty ? [] : peersByProtocol[protocolID] ?? []
    }

    /// Whether the peer holds any slot.
    public func contains(_ peer: PeerID) -> Bool { slotCounts[peer] != nil }

    /// The number of distinct slotted peers.
    public var peerCount: Int { slotCounts.count }

    /// Protocols with at least one slotted peer.
    public var protocols: [String] { peersByProtocol.keys.sorted() }

    /// Why a slot could not be added.
    enum Refusal: Error, Sendable, Hashable {
        case relayProtocol
        case full(maxPeers: Int)
        /// The peer holds `limit` slots already: protocol names are the client's, so the slots of
        /// one peer are bounded like its protocols.
        case tooManyProtocols(limit: Int)
    }

    mutating func add(_ peer: PeerID, for protocolID: String, maxPerPeer: Int = .max) -> Refusal? {
        if protocolID == WakuCodec.relay { return .relayProtocol }
        if peersByProtocol[protocolID]?.contains(peer) == true { return nil }
        if slotCounts[peer] == nil, slotCounts.count >= maxPeers { return .full(maxPeers: maxPeers) }
        if let held = slotCounts[peer], held >= maxPerPeer { return .tooManyProtocols(limit: maxPerPeer) }
        peersByProtocol[protocolID, default: []].append(peer)
        slotCounts[peer, default: 0] += 1
        return nil
    }

    @discardableResult
    mutating func remove(_ peer: PeerID, for protocolID: String) -> Bool {
        guard var peers = peersByProtocol[protocolID], let index = peers.firstIndex(of: peer) else { return false }
        peers.remove(at: index)
        peersByProtocol[protocolID] = peers.isEmpty ? nil : peers
        let remaining = slotCounts[peer, default: 1] - 1
        slotCounts[peer] = remaining > 0 ? remaining : nil
        return true
    }

    /// Removes the peer from every slot (it left the store).
    mutating func removeEverywhere(_ peer: PeerID) {
        guard slotCounts[peer] != nil else { return }
        for protocolID in peersByProtocol.keys { remove(peer, for: protocolID) }
    }
}
