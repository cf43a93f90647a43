import PeerIdentity

/// Named, counted protection tags on peers (logos-delivery's "active store requests", generalised).
///
/// A protected peer is never pruned from the store, evicted by the inbound relay cap or the
/// colocation limit, or disconnected by the connectivity loop. A metadata rejection of a protected
/// peer is deferred until its last tag is removed. Tags count: two `protect(p, "store")` calls
/// need two `unprotect(p, "store")` calls, so overlapping requests keep the peer protected.
public struct EvictionProtection: Sendable, Hashable {
    private(set) var tags: [PeerID: [String: Int]] = [:]

    public init() {}

    public func isProtected(_ peer: PeerID) -> Bool { tags[peer] != nil }

    /// The peer's tags with their counts.
    public func tags(of peer: PeerID) -> [String: Int] {
        // Selection asks for every reply; with nothing protected, no need to hash the id.
        tags.isEmpty ? [:] : tags[peer] ?? [:]
    }

    /// The number of protected peers.
    public var protectedCount: Int { tags.count }

    mutating func protect(_ peer: PeerID, tag: String) {
        tags[peer, default: [:]][tag, default: 0] += 1
    }

    /// Returns `true` when this removed the peer's last tag.
    mutating func unprotect(_ peer: PeerID, tag: String) -> Bool {
        guard var peerTags = tags[peer], let count = peerTags[tag] else { return false }
        peerTags[tag] = count > 1 ? count - 1 : nil
        tags[peer] = peerTags.isEmpty ? nil : peerTags
        return peerTags.isEmpty
    }
}
