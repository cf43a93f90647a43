import PeerIdentity

/// The result of adding a peer to the books.
public enum AddPeerOutcome: Sendable, Hashable {
    /// A new peer.
    case added
    /// A known peer whose books changed.
    case updated
    /// A known peer; nothing new (the discovery re-announcement case).
    case unchanged
    /// Our own id; never stored.
    case ignoredSelf
    /// The incoming ENR is older (lower sequence number) than the stored one; nothing changed.
    case ignoredStaleENR
}

extension PeerStore {
    /// Adds or merges a peer (nwaku `PeerStore.addPeer` since #3403).
    ///
    /// - An incoming ENR with a lower sequence number than the stored one makes the whole update
    ///   stale: its addresses would be older too (nwaku only skips when addresses and key match,
    ///   and otherwise lets the older ENR overwrite the newer one).
    /// - Addresses are overwritten, unless the incoming list is empty (an empty list carries no
    ///   information; overwriting with it made nwaku peers undialable, #3400).
    /// - Protocols are merged, keeping the order they were learnt in.
    /// - Key, agent and protocol version are set only when absent.
    /// - An explicit origin (anything but `.unknown`) wins; otherwise the stored origin stays.
    /// - The ENR is replaced when one is given.
    /// - Connectedness, direction, failures and times are never touched here.
    mutating func merge(_ info: PeerInfo, origin: PeerOrigin) -> AddPeerOutcome {
        guard let handle = handle(info.id) else {
            let handle = insert(info.id)
            let maxProtocols = limits.maxProtocolsPerPeer
            let addresses = bounded(info.addresses)
            update(handle) { entry, names, labels in
                entry.addresses = addresses
                Self.learn(info.protocols, into: &entry.protocols, names: &names, limit: maxProtocols)
                entry.publicKey = info.publicKey
                entry.agent = info.agent.map { labels.intern($0) } ?? -1
                entry.protocolVersion = info.protocolVersion.map { labels.intern($0) } ?? -1
                entry.enr = info.enr
                entry.origin = origin
            }
            return .added
        }
        let current = entry(handle)
        if let stored = current.enr, let incoming = info.enr, incoming.sequence < stored.sequence {
            return .ignoredStaleENR
        }
        // At the limit no protocol can be learnt, so none is news.
        let knownProtocols =
            current.protocols.count >= limits.maxProtocolsPerPeer
            || info.protocols.allSatisfy { name in
                protocolID(name).map { current.protocols.contains($0) } ?? false
            }
        let nothingNew =
            (info.addresses.isEmpty || bounded(info.addresses) == current.addresses)
            && (info.publicKey == nil || current.publicKey != nil)
            && (info.agent == nil || current.agent >= 0)
            && (info.protocolVersion == nil || current.protocolVersion >= 0)
            && (info.enr == nil || info.enr == current.enr)
            && (origin == .unknown || origin == current.origin)
            && knownProtocols
        if nothingNew { return .unchanged }
        let maxProtocols = limits.maxProtocolsPerPeer
        let addresses = bounded(info.addresses)
        update(handle) { entry, names, labels in
            if !addresses.isEmpty { entry.addresses = addresses }
            Self.learn(info.protocols, into: &entry.protocols, names: &names, limit: maxProtocols)
            if entry.publicKey == nil { entry.publicKey = info.publicKey }
            if entry.agent < 0, let agent = info.agent { entry.agent = labels.intern(agent) }
            if entry.protocolVersion < 0, let version = info.protocolVersion {
                entry.protocolVersion = labels.intern(version)
            }
            if origin != .unknown { entry.origin = origin }
            if let enr = info.enr { entry.enr = enr }
        }
        return .updated
    }

    /// Applies identify results: protocols, agent and version are replaced (identify is the
    /// peer's own current word), listen addresses overwrite the dial addresses when present,
    /// and the key is set when absent.
    ///
    /// An empty protocol list means "unknown", not "speaks nothing": a peer always speaks at least
    /// identify, so an empty list is a host that did not report them, and the protocols known
    /// from AddPeer or an earlier identify are kept (wiping them turned a relay peer into a
    /// non-relay one).
    ///
    /// - Returns: how many protocols and addresses were dropped by the per-peer limits.
    @discardableResult
    mutating func applyIdentify(_ handle: Int32, _ info: IdentifyInfo) -> (protocols: Int, addresses: Int) {
        let maxProtocols = limits.maxProtocolsPerPeer
        let addresses = bounded(info.listenAddresses)
        var kept = 0
        update(handle) { entry, names, labels in
            var protocols: [Int32] = []
            Self.learn(info.protocols, into: &protocols, names: &names, limit: maxProtocols)
            kept = protocols.count
            if !protocols.isEmpty { entry.protocols = protocols }
            if let agent = info.agent { entry.agent = labels.intern(agent) }
            if let version = info.protocolVersion { entry.protocolVersion = labels.intern(version) }
            if entry.publicKey == nil { entry.publicKey = info.publicKey }
            if !addresses.isEmpty { entry.addresses = addresses }
        }
        // Duplicates beyond the limit count as dropped: no need to hash a flood of names.
        let dropped = info.protocols.count > maxProtocols ? info.protocols.count - kept : 0
        return (dropped, info.listenAddresses.count - addresses.count)
    }

    /// The first ``EngineLimits/maxAddressesPerPeer`` addresses.
    func bounded(_ addresses: [Multiaddr]) -> [Multiaddr] {
        addresses.count > limits.maxAddressesPerPeer ? Array(addresses.prefix(limits.maxAddressesPerPeer)) : addresses
    }

    /// Appends the protocols not yet listed, in order, while fewer than `limit` are listed; the
    /// rest are not interned at all (a flood of names must not reach the intern table).
    static func learn(_ names: [String], into protocols: inout [Int32], names table: inout StringInterner, limit: Int) {
        for name in names where protocols.count < limit {
            let id = table.intern(name)
            if !protocols.contains(id) { protocols.append(id) }
        }
    }

    /// Inserts a persisted record as-is except for live state (used by snapshot import).
    mutating func restore(_ record: PeerRecord) {
        let handle = insert(record.id)
        let maxProtocols = limits.maxProtocolsPerPeer
        let addresses = bounded(record.addresses)
        update(handle) { entry, names, labels in
            entry.addresses = addresses
            entry.protocols = []
            Self.learn(record.protocols, into: &entry.protocols, names: &names, limit: maxProtocols)
            entry.publicKey = record.publicKey
            entry.agent = record.agent.map { labels.intern($0) } ?? -1
            entry.protocolVersion = record.protocolVersion.map { labels.intern($0) } ?? -1
            entry.enr = record.enr
            entry.origin = .cache
            entry.connectedness = record.connectedness == .cannotConnect ? .cannotConnect : .notConnected
            entry.direction = .unknown
            entry.disconnectTime = record.disconnectTime
            entry.failedAttempts = Int32(clamping: record.failedAttempts)
            entry.lastFailedAttempt = record.lastFailedAttempt
            entry.metadataShards = record.metadataShards
            entry.relayStreams = 0
        }
    }
}
