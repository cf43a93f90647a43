import PeerIdentity

/// Who set a protection tag: released together when the owner goes away.
///
/// peerd gives each client connection its own owner, so a client that dies between Protect and
/// Unprotect cannot pin a peer forever. ``engine`` is for callers without a connection (the
/// library API, tests); its tags stay until unprotected.
public struct ProtectionOwner: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// Tags nobody releases implicitly.
    public static let engine = ProtectionOwner(0)
    public var description: String { rawValue == 0 ? "engine" : "connection \(rawValue)" }
}

/// Why a protection was refused.
public enum ProtectionRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// Only peers in the store can be protected.
    case unknownPeer
    case tagTooLong(bytes: Int, limit: Int)
    case tooManyTagsOnPeer(limit: Int)
    case tooManyTags(limit: Int)

    /// The limit that refused it, if a limit did.
    public var limit: EngineLimits.Kind? {
        switch self {
        case .unknownPeer: nil
        case .tagTooLong: .protectionTagBytes
        case .tooManyTagsOnPeer: .protectionTagsPerPeer
        case .tooManyTags: .protectionTags
        }
    }

    public var description: String {
        switch self {
        case .unknownPeer: "the peer is not in the store"
        case .tagTooLong(let bytes, let limit): "tag of \(bytes) bytes exceeds the limit of \(limit)"
        case .tooManyTagsOnPeer(let limit): "the peer already has \(limit) tags, the limit"
        case .tooManyTags(let limit): "\(limit) tags are set in total, the limit"
        }
    }
}

/// Named, counted protection tags on peers (logos-delivery's "active store requests", generalised).
///
/// A protected peer is never pruned from the store, evicted by the inbound relay cap or the
/// colocation limit, or disconnected by the connectivity loop. A metadata rejection of a protected
/// peer is deferred until its last tag is removed. Tags count: two `protect(p, "store")` calls
/// need two `unprotect(p, "store")` calls, so overlapping requests keep the peer protected.
///
/// Each count is held by an owner (``ProtectionOwner``); ``release(_:)`` drops everything an
/// owner still holds. Distinct tags are bounded per peer and in total, and their length too
/// (``EngineLimits``); counts are not, as they cost no memory.
public struct EvictionProtection: Sendable, Hashable {
    /// Total counts by peer and tag (what queries and the hot paths read).
    private(set) var tags: [PeerID: [String: Int]] = [:]
    /// The same counts split by owner.
    private var holds: [ProtectionOwner: [PeerID: [String: Int]]] = [:]
    /// Distinct (peer, tag) pairs.
    public private(set) var tagCount = 0

    public init() {}

    public func isProtected(_ peer: PeerID) -> Bool { tags[peer] != nil }

    /// The peer's tags with their counts.
    public func tags(of peer: PeerID) -> [String: Int] {
        // Selection asks for every reply; with nothing protected, no need to hash the id.
        tags.isEmpty ? [:] : tags[peer] ?? [:]
    }

    /// The number of protected peers.
    public var protectedCount: Int { tags.count }

    /// Owners holding at least one tag.
    public var ownerCount: Int { holds.count }

    mutating func protect(
        _ peer: PeerID, tag: String, owner: ProtectionOwner, limits: EngineLimits
    ) -> ProtectionRefusal? {
        let bytes = tag.utf8.count
        if bytes > limits.maxProtectionTagBytes {
            return .tagTooLong(bytes: bytes, limit: limits.maxProtectionTagBytes)
        }
        let peerTags = tags[peer]
        if peerTags?[tag] == nil {
            if (peerTags?.count ?? 0) >= limits.maxProtectionTagsPerPeer {
                return .tooManyTagsOnPeer(limit: limits.maxProtectionTagsPerPeer)
            }
            if tagCount >= limits.maxProtectionTags { return .tooManyTags(limit: limits.maxProtectionTags) }
            tagCount += 1
        }
        tags[peer, default: [:]][tag, default: 0] += 1
        holds[owner, default: [:]][peer, default: [:]][tag, default: 0] += 1
        return nil
    }

    /// Removes one count of `tag`: the caller's own when it holds one, else another owner's (a
    /// tag is not private: any client may end a protection, as before owners existed).
    ///
    /// - Returns: `true` when this removed the peer's last tag.
    mutating func unprotect(_ peer: PeerID, tag: String, owner: ProtectionOwner) -> Bool {
        guard tags[peer]?[tag] != nil else { return false }
        let holder =
            holds[owner]?[peer]?[tag] != nil ? owner : holds.first { $0.value[peer]?[tag] != nil }?.key
        if let holder { Self.decrement(&holds, holder, peer, tag) }
        return decrementTotal(peer, tag, by: 1)
    }

    /// Drops every count `owner` holds.
    ///
    /// - Returns: the peers that lost their last tag.
    mutating func release(_ owner: ProtectionOwner) -> [PeerID] {
        guard let held = holds.removeValue(forKey: owner) else { return [] }
        var unprotected: [PeerID] = []
        for (peer, peerTags) in held {
            var last = false
            for (tag, count) in peerTags { last = decrementTotal(peer, tag, by: count) || last }
            if last { unprotected.append(peer) }
        }
        return unprotected
    }

    /// Drops every tag on `peer` (it left the store).
    mutating func removeAll(_ peer: PeerID) {
        guard let peerTags = tags.removeValue(forKey: peer) else { return }
        tagCount -= peerTags.count
        for owner in Array(holds.keys) {
            holds[owner]?[peer] = nil
            if holds[owner]?.isEmpty == true { holds[owner] = nil }
        }
    }

    /// Returns `true` when the peer has no tag left.
    private mutating func decrementTotal(_ peer: PeerID, _ tag: String, by amount: Int) -> Bool {
        guard var peerTags = tags[peer], let count = peerTags[tag] else { return false }
        if count > amount {
            peerTags[tag] = count - amount
        } else {
            peerTags[tag] = nil
            tagCount -= 1
        }
        tags[peer] = peerTags.isEmpty ? nil : peerTags
        return peerTags.isEmpty
    }

    private static func decrement(
        _ holds: inout [ProtectionOwner: [PeerID: [String: Int]]], _ owner: ProtectionOwner, _ peer: PeerID,
        _ tag: String
    ) {
        guard var byPeer = holds[owner], var peerTags = byPeer[peer], let count = peerTags[tag] else { return }
        peerTags[tag] = count > 1 ? count - 1 : nil
        byPeer[peer] = peerTags.isEmpty ? nil : peerTags
        holds[owner] = byPeer.isEmpty ? nil : byPeer
    }
}
