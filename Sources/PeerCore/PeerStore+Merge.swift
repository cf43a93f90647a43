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
            update(handle) { entry, names, labels in
                entry.addresses = info.addresses
                for name in info.protocols {
                    let id = names.intern(name)
                    if !entry.protocols.contains(id) { entry.protocols.append(id) }
                }
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
        let knownProtocols = info.protocols.allSatisfy { name in
            protocolID(name).map { current.protocols.contains($0) } ?? false
        }
        let nothingNew =
            (info.addresses.isEmpty || info.addresses == current.addresses)
            && (info.publicKey == nil || current.publicKey != nil)
            && (info.agent == nil || current.agent >= 0)
            && (info.protocolVersion == nil || current.protocolVersion >= 0)
            && (info.enr == nil || info.enr == current.enr)
            && (origin == .unknown || origin == current.origin)
            && knownProtocols
        if nothingNew { return .unchanged }
        update(handle) { entry, names, labels in
            if !info.addresses.isEmpty { entry.addresses = info.addresses }
            for name in info.protocols {
                let id = names.intern(name)
                if !entry.protocols.contains(id) { entry.protocols.append(id) }
            }
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
    mutating func applyIdentify(_ handle: Int32, _ info: IdentifyInfo) {
        update(handle) { entry, names, labels in
            var protocols: [Int32] = []
            for name in info.protocols {
                let id = names.intern(name)
                if !protocols.contains(id) { protocols.append(id) }
            }
            entry.protocols = protocols
            if let agent = info.agent { entry.agent = labels.intern(agent) }
            if let version = info.protocolVersion { entry.protocolVersion = labels.intern(version) }
            if entry.publicKey == nil { entry.publicKey = info.publicKey }
            if !info.listenAddresses.isEmpty { entry.addresses = info.listenAddresses }
        }
    }

    /// Inserts a persisted record as-is except for live state (used by snapshot import).
    mutating func restore(_ record: PeerRecord) {
        let handle = insert(record.id)
        update(handle) { entry, names, labels in
            entry.addresses = record.addresses
            entry.protocols = []
            for name in record.protocols {
                let id = names.intern(name)
                if !entry.protocols.contains(id) { entry.protocols.append(id) }
            }
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
