import PeerIdentity

/// The peer books: one dense table of peers addressed by integer handles, plus indexes.
///
/// nwaku keeps one hash table per book keyed by peer id and answers every question by scanning
/// them. Here each peer is one slot of a dense array (slots are reused after deletes), protocol and
/// agent strings are interned, and the questions the policy asks often have an index: peers per
/// protocol (exact id), per shard (ENR `rs`/`rsv` or metadata, cluster included), connected peers,
/// connected inbound/outbound relay peers, and not-connected relay candidates with and without
/// failed dials. Every mutation goes through ``update(_:_:)``, which diffs the indexed facts of
/// the peer before and after, so the indexes cannot drift from the books.
///
/// Mutations are internal: the ``PeerEngine`` owns the store and applies the merge rules.
public struct PeerStore: Sendable {
    /// The most peers kept: a new peer at capacity evicts by the pruning rules (or is refused),
    /// see ``PeerEngine`` capacity; only connected peers reported by the host may exceed it.
    public let capacity: Int
    let maxFailedAttempts: Int
    /// Addresses and protocols kept per peer.
    let limits: EngineLimits

    struct Entry: Sendable {
        var id: PeerID
        /// False for a free slot (kept in the array so reads never copy through an Optional).
        var live = true
        var addresses: [Multiaddr] = []
        var protocols: [Int32] = []
        var publicKey: [UInt8]?
        var agent: Int32 = -1
        var protocolVersion: Int32 = -1
        var enr: PeerENRInfo?
        var origin: PeerOrigin = .unknown
        var connectedness: Connectedness = .notConnected
        var direction: PeerDirection = .unknown
        var disconnectTime: EngineTime?
        var failedAttempts: Int32 = 0
        var lastFailedAttempt: EngineTime?
        var metadataShards: RelayShards?
        /// Open relay streams reported by the host.
        var relayStreams: Int32 = 0
    }

    /// The indexed facts of one peer; the indexes hold exactly these.
    struct IndexFacts: Equatable {
        var protocols: [Int32] = []
        var shardKeys: [UInt32] = []
        var connected = false
        var inboundRelay = false
        var outboundRelay = false
        var outboundUnknown = false
        var dialable = false
        var backedOff = false
    }

    private(set) var entries: [Entry] = []
    private var freeSlots: [Int32] = []
    private(set) var handles: [PeerKey: Int32] = [:]
    private(set) var protocolNames = StringInterner()
    private var labels = StringInterner()
    private(set) var byProtocol: [HandleSet] = []
    /// Per-shard sets, addressed through `shardSlots` (an array keeps mutations in place).
    /// A shard's slot is freed when its last peer goes: ENR and metadata shards come from
    /// outside, and a slot per (cluster, shard) ever seen would grow without bound.
    private var shardSets: [HandleSet] = []
    private var shardSlots: [UInt32: Int] = [:]
    private var freeShardSlots: [Int] = []
    private(set) var connectedSet = HandleSet()
    private(set) var inboundRelaySet = HandleSet()
    private(set) var outboundRelaySet = HandleSet()
    /// Connected outbound peers not yet known to be relay or not (no identify, no relay stream,
    /// no waku2 bits): they count toward the outbound relay target until identify says otherwise.
    private(set) var outboundUnknownSet = HandleSet()
    /// Not connected, possibly relay, has addresses, no failed dial: always dialable.
    private(set) var dialableSet = HandleSet()
    /// Not connected, possibly relay, has addresses, 0 < failures < max: dialable after backoff.
    private(set) var backedOffSet = HandleSet()
    let relayProtocolID: Int32
    /// Peer-level changes not yet reported, in order: the store's own adds and removes, and the
    /// joins and leaves the engine appends as its connection table changes. The engine moves them
    /// into its actions at the end of every call (``PeerEngine/flushPeerChanges(into:)``), so no
    /// code path that changes the books can forget to report it.
    var changes: [PeerChange] = []

    init(capacity: Int, maxFailedAttempts: Int, limits: EngineLimits = EngineLimits()) {
        self.capacity = capacity
        self.maxFailedAttempts = maxFailedAttempts
        self.limits = limits
        var names = StringInterner()
        relayProtocolID = names.intern(WakuCodec.relay)
        // Pinned: the relay id is compared against on every relay check.
        names.retain(relayProtocolID)
        protocolNames = names
        byProtocol = [HandleSet()]
    }

    // MARK: Public queries

    /// The number of peers (nwaku counts AddressBook entries; we count every known peer).
    public var count: Int { handles.count }

    public func contains(_ id: PeerID) -> Bool { handles[PeerKey(id)] != nil }

    /// All books for one peer, or `nil` if unknown.
    public func record(_ id: PeerID) -> PeerRecord? {
        handles[PeerKey(id)].map { record(at: $0) }
    }

    /// Every peer (unordered).
    public func records() -> [PeerRecord] {
        handles.values.map { record(at: $0) }
    }

    /// Peers whose protocols contain `protocol` exactly (nwaku `peers(proto)`).
    public func peers(supporting protocolID: String) -> [PeerID] {
        guard let id = protocolNames.id(of: protocolID) else { return [] }
        return byProtocol[Int(id)].elements.map { entry($0).id }
    }

    /// Peers with a protocol starting with `prefix` (nwaku `peers(protocolMatcher(codec))`).
    public func peers(withProtocolPrefix prefix: String) -> [PeerID] {
        var found: Set<Int32> = []
        for (index, name) in protocolNames.strings.enumerated() where name.hasPrefix(prefix) {
            found.formUnion(byProtocol[index].elements)
        }
        return found.map { entry($0).id }
    }

    /// Whether the peer lists `protocol` exactly (nwaku `hasPeer`).
    public func hasPeer(_ id: PeerID, supporting protocolID: String) -> Bool {
        guard let handle = handles[PeerKey(id)], let proto = protocolNames.id(of: protocolID) else { return false }
        return byProtocol[Int(proto)].contains(handle)
    }

    /// Whether any peer lists `protocol` exactly (nwaku `hasPeers(proto)`).
    public func hasPeers(supporting protocolID: String) -> Bool {
        guard let proto = protocolNames.id(of: protocolID) else { return false }
        return !byProtocol[Int(proto)].isEmpty
    }

    /// Whether any peer lists a protocol starting with `prefix` (nwaku `hasPeers(matcher)`).
    public func hasPeers(withProtocolPrefix prefix: String) -> Bool {
        protocolNames.strings.enumerated().contains { $0.element.hasPrefix(prefix) && !byProtocol[$0.offset].isEmpty }
    }

    /// The peer's connectedness; `notConnected` for an unknown peer, as in nwaku.
    public func connectedness(_ id: PeerID) -> Connectedness {
        handles[PeerKey(id)].map { entry($0).connectedness } ?? .notConnected
    }

    /// Peers whose direction is `direction`.
    public func peers(direction: PeerDirection) -> [PeerID] {
        handles.compactMap { entry($0.value).direction == direction ? $0.key.id : nil }
    }

    /// Peers that are not connected (nwaku `getDisconnectedPeers`: NotConnected, CannotConnect, CanConnect).
    public func disconnectedPeers() -> [PeerID] {
        handles.compactMap { connectedSet.contains($0.value) ? nil : $0.key.id }
    }

    /// Connected peers.
    public func connectedPeers() -> [PeerID] { connectedSet.elements.map { entry($0).id } }

    /// Peers on a shard by ENR or metadata.
    public func peers(onShard shard: RelayShard) -> [PeerID] {
        (shardSet(shard.indexKey)?.elements ?? []).map { entry($0).id }
    }

    /// Whether the peer's ENR or metadata shards contain the shard (cluster checked for both).
    public func hasShard(_ id: PeerID, _ shard: RelayShard) -> Bool {
        guard let handle = handles[PeerKey(id)] else { return false }
        return shardSet(shard.indexKey)?.contains(handle) ?? false
    }

    /// Whether the peer's ENR `waku2` field has the capability.
    public func hasCapability(_ id: PeerID, _ capability: WakuCapabilities) -> Bool {
        handles[PeerKey(id)].flatMap { entry($0).enr?.capabilities.contains(capability) } ?? false
    }

    /// Distinct protocols starting with `/vac/waku` that some peer lists (nwaku `getWakuProtos`).
    public func wakuProtocols() -> [String] {
        protocolNames.strings.enumerated().compactMap {
            $0.element.hasPrefix(WakuCodec.wakuPrefix) && !byProtocol[$0.offset].isEmpty ? $0.element : nil
        }
    }

    // MARK: Internal access

    func entry(_ handle: Int32) -> Entry { entries[Int(handle)] }

    /// Every shard index with its key.
    func shardSetsByKey() -> [(key: UInt32, set: HandleSet)] {
        shardSlots.map { (key: $0.key, set: shardSets[$0.value]) }
    }

    /// The peers on a shard (by index key), if any peer ever was.
    func shardSet(_ key: UInt32) -> HandleSet? { shardSlots[key].map { shardSets[$0] } }

    func handle(_ id: PeerID) -> Int32? { handles[PeerKey(id)] }

    func protocolID(_ name: String) -> Int32? { protocolNames.id(of: name) }

    func label(_ id: Int32) -> String? { id < 0 ? nil : labels[id] }

    func record(at handle: Int32) -> PeerRecord {
        // Field by field from the array: a `let entry = entries[i]` copied the whole entry first
        // (every reference retained and released again) on the selection hot path.
        let index = Int(handle)
        return PeerRecord(
            id: entries[index].id, addresses: entries[index].addresses,
            protocols: entries[index].protocols.map { protocolNames[$0] }, publicKey: entries[index].publicKey,
            agent: label(entries[index].agent), protocolVersion: label(entries[index].protocolVersion),
            enr: entries[index].enr, origin: entries[index].origin, connectedness: entries[index].connectedness,
            direction: entries[index].direction, disconnectTime: entries[index].disconnectTime,
            failedAttempts: Int(entries[index].failedAttempts), lastFailedAttempt: entries[index].lastFailedAttempt,
            metadataShards: entries[index].metadataShards)
    }

    /// Known to speak relay: identified with the relay codec, an open relay stream, or the ENR relay bit.
    func isKnownRelay(_ entry: borrowing Entry) -> Bool { Self.knownRelay(entry, relayProtocolID: relayProtocolID) }

    static func knownRelay(_ entry: borrowing Entry, relayProtocolID: Int32) -> Bool {
        entry.relayStreams > 0 || entry.protocols.contains(relayProtocolID)
            || entry.enr?.capabilities.contains(.relay) == true
    }

    /// Known relay, or nothing known yet (no protocols, no waku2 bits): worth a relay dial.
    func mayBeRelay(_ entry: borrowing Entry) -> Bool { Self.possibleRelay(entry, relayProtocolID: relayProtocolID) }

    static func possibleRelay(_ entry: borrowing Entry, relayProtocolID: Int32) -> Bool {
        knownRelay(entry, relayProtocolID: relayProtocolID)
            || (entry.protocols.isEmpty && (entry.enr?.capabilities.isEmpty ?? true))
    }

    // MARK: Mutation

    /// The id parked in free slots (an empty multihash allocates nothing).
    static let vacant = PeerID(multihash: [])

    /// Makes room for `count` peers in the books without reallocating.
    mutating func reserveCapacity(_ count: Int) {
        handles.reserveCapacity(count)
        entries.reserveCapacity(count)
    }

    /// Creates an empty entry for `id` (or returns the existing one).
    mutating func insert(_ id: PeerID) -> Int32 {
        let key = PeerKey(id)
        if let existing = handles[key] { return existing }
        let handle: Int32
        if let reused = freeSlots.popLast() {
            handle = reused
            entries[Int(handle)] = Entry(id: id)
        } else {
            handle = Int32(entries.count)
            entries.append(Entry(id: id))
        }
        handles[key] = handle
        changes.append(PeerChange(.added, id))
        return handle
    }

    /// The number of live interned protocol ids and labels (agents, versions), and shard index
    /// slots: memory that follows the live peers (freed when the last peer using one goes).
    public var internedCounts: (protocols: Int, labels: Int, shards: Int) {
        (protocolNames.count, labels.count, shardSlots.count)
    }

    /// Applies `body` to the peer's entry and brings every index (and string reference) up to date.
    mutating func update(_ handle: Int32, _ body: (inout Entry, inout StringInterner, inout StringInterner) -> Void) {
        let index = Int(handle)
        // Static, fed two numbers: an instance method called with an element of `entries` made
        // the compiler copy the whole store (a retain and a release of every book) on each
        // update, a third of a 100k-peer import (perf, store-bench).
        let (relay, maxFailed) = (relayProtocolID, maxFailedAttempts)
        let before = Self.facts(of: entries[index], relayProtocolID: relay, maxFailedAttempts: maxFailed)
        let (agent, version) = (entries[index].agent, entries[index].protocolVersion)
        body(&entries[index], &protocolNames, &labels)
        while byProtocol.count < protocolNames.strings.count { byProtocol.append(HandleSet()) }
        let after = Self.facts(of: entries[index], relayProtocolID: relay, maxFailedAttempts: maxFailed)
        if before != after { reindex(handle, from: before, to: after) }
        if agent != entries[index].agent {
            if entries[index].agent >= 0 { labels.retain(entries[index].agent) }
            if agent >= 0 { labels.release(agent) }
        }
        if version != entries[index].protocolVersion {
            if entries[index].protocolVersion >= 0 { labels.retain(entries[index].protocolVersion) }
            if version >= 0 { labels.release(version) }
        }
        // Strings interned by `body` but not kept (a duplicate, a limit) are freed at once.
        if protocolNames.hasFresh {
            for id in protocolNames.sweep() { byProtocol[Int(id)] = HandleSet() }
        }
        if labels.hasFresh { _ = labels.sweep() }
    }

    /// Applies `body` (no string interning needed) and reindexes.
    mutating func update(_ handle: Int32, _ body: (inout Entry) -> Void) {
        update(handle) { entry, _, _ in body(&entry) }
    }

    /// Deletes the peer from every book and index.
    @discardableResult
    mutating func remove(_ id: PeerID) -> Bool {
        guard let handle = handles.removeValue(forKey: PeerKey(id)) else { return false }
        // Leave every index straight from the entry's fields: no facts arrays to build, which
        // matters when pruning removes tens of thousands of peers at once.
        let index = Int(handle)
        for proto in entries[index].protocols {
            byProtocol[Int(proto)].remove(handle)
            releaseProtocol(proto)
        }
        if entries[index].agent >= 0 { labels.release(entries[index].agent) }
        if entries[index].protocolVersion >= 0 { labels.release(entries[index].protocolVersion) }
        if let shards = entries[index].enr?.relayShards {
            for shard in shards.shardIDs { removeFromShard(UInt32(shards.clusterID) << 16 | UInt32(shard), handle) }
        }
        if let shards = entries[index].metadataShards {
            for shard in shards.shardIDs { removeFromShard(UInt32(shards.clusterID) << 16 | UInt32(shard), handle) }
        }
        connectedSet.remove(handle)
        inboundRelaySet.remove(handle)
        outboundRelaySet.remove(handle)
        outboundUnknownSet.remove(handle)
        dialableSet.remove(handle)
        backedOffSet.remove(handle)
        entries[index] = Entry(id: Self.vacant, live: false)
        freeSlots.append(handle)
        changes.append(PeerChange(.removed, id))
        return true
    }

    private static func facts(of entry: borrowing Entry, relayProtocolID: Int32, maxFailedAttempts: Int) -> IndexFacts {
        var facts = IndexFacts()
        facts.protocols = entry.protocols
        if let shards = entry.enr?.relayShards {
            facts.shardKeys = shards.shardIDs.map { UInt32(shards.clusterID) << 16 | UInt32($0) }
        }
        if let shards = entry.metadataShards {
            for shard in shards.shardIDs {
                let key = UInt32(shards.clusterID) << 16 | UInt32(shard)
                if !facts.shardKeys.contains(key) { facts.shardKeys.append(key) }
            }
        }
        facts.connected = entry.connectedness == .connected
        if facts.connected {
            let relay = knownRelay(entry, relayProtocolID: relayProtocolID)
            facts.inboundRelay = relay && entry.direction == .inbound
            facts.outboundRelay = relay && entry.direction == .outbound
            facts.outboundUnknown =
                !relay && entry.direction == .outbound && possibleRelay(entry, relayProtocolID: relayProtocolID)
        } else if !entry.addresses.isEmpty && possibleRelay(entry, relayProtocolID: relayProtocolID) {
            facts.dialable = entry.failedAttempts == 0
            facts.backedOff = entry.failedAttempts > 0 && Int(entry.failedAttempts) < maxFailedAttempts
        }
        return facts
    }

    private mutating func reindex(_ handle: Int32, from old: IndexFacts, to new: IndexFacts) {
        if old.protocols != new.protocols {
            // Retain before releasing, so an id kept across the change is never freed in between.
            for proto in new.protocols where !old.protocols.contains(proto) {
                byProtocol[Int(proto)].insert(handle)
                protocolNames.retain(proto)
            }
            for proto in old.protocols where !new.protocols.contains(proto) {
                byProtocol[Int(proto)].remove(handle)
                releaseProtocol(proto)
            }
        }
        if old.shardKeys != new.shardKeys {
            for key in old.shardKeys where !new.shardKeys.contains(key) { removeFromShard(key, handle) }
            for key in new.shardKeys where !old.shardKeys.contains(key) {
                let slot: Int
                if let existing = shardSlots[key] {
                    slot = existing
                } else if let reused = freeShardSlots.popLast() {
                    slot = reused
                    shardSlots[key] = slot
                } else {
                    slot = shardSets.count
                    shardSets.append(HandleSet())
                    shardSlots[key] = slot
                }
                shardSets[slot].insert(handle)
            }
        }
        Self.move(handle, in: &connectedSet, old.connected, new.connected)
        Self.move(handle, in: &inboundRelaySet, old.inboundRelay, new.inboundRelay)
        Self.move(handle, in: &outboundRelaySet, old.outboundRelay, new.outboundRelay)
        Self.move(handle, in: &outboundUnknownSet, old.outboundUnknown, new.outboundUnknown)
        Self.move(handle, in: &dialableSet, old.dialable, new.dialable)
        Self.move(handle, in: &backedOffSet, old.backedOff, new.backedOff)
    }

    private mutating func removeFromShard(_ key: UInt32, _ handle: Int32) {
        guard let slot = shardSlots[key] else { return }
        shardSets[slot].remove(handle)
        if shardSets[slot].isEmpty {
            shardSets[slot] = HandleSet()
            shardSlots[key] = nil
            freeShardSlots.append(slot)
        }
    }

    private mutating func releaseProtocol(_ id: Int32) {
        if protocolNames.release(id) { byProtocol[Int(id)] = HandleSet() }
    }

    private static func move(_ handle: Int32, in set: inout HandleSet, _ was: Bool, _ now: Bool) {
        if was == now { return }
        if now { set.insert(handle) } else { set.remove(handle) }
    }
}

/// A peer id as a dictionary key, hashed over its bytes in one call (PeerID's synthesized
/// `Hashable` feeds the hasher one byte at a time, which dominated store lookups).
struct PeerKey: Hashable, Sendable {
    let id: PeerID

    init(_ id: PeerID) { self.id = id }

    func hash(into hasher: inout Hasher) {
        id.multihash.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: PeerKey, rhs: PeerKey) -> Bool { lhs.id.multihash == rhs.id.multihash }
}
