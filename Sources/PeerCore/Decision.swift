import PeerIdentity

/// Why the engine did (or did not do) something: a closed set, usable as a metric label.
///
/// The raw value is the stable label text (`decision.reason` in logs). Each reason's meaning, for
/// host developers, is the table in docs/protocol.md §10; `DecisionReasonDocsTests` fails when a
/// reason is added here without its row (or a disconnect reason without its mark).
public enum DecisionReason: String, Sendable, Hashable, CaseIterable {
    // Peer books
    case peerAdded = "peer_added"
    case peerUpdated = "peer_updated"
    case peerIgnoredSelf = "peer_ignored_self"
    case peerIgnoredStaleENR = "peer_ignored_stale_enr"
    case peerRemoved = "peer_removed"
    case snapshotImported = "snapshot_imported"
    /// A client's peer exceeds a per-peer limit (addresses, protocols): refused, nothing stored.
    case peerRefusedLimit = "peer_refused_limit"
    /// The host reported more than a per-peer limit: the first entries were kept.
    case peerTruncated = "peer_truncated"
    /// The store is at capacity and no peer can be evicted (all connected, protected, slotted or
    /// being dialled): the new peer is refused.
    case storeFull = "store_full"
    // Connections
    case peerJoined = "peer_joined"
    case peerLeft = "peer_left"
    case inboundRelayLimit = "inbound_relay_limit"
    case colocationLimit = "colocation_limit"
    case evictionSkippedProtected = "eviction_skipped_protected"
    // Metadata verdicts
    case metadataAccepted = "metadata_accepted"
    case metadataFailed = "metadata_failed"
    case metadataMissingCluster = "metadata_missing_cluster"
    case metadataClusterMismatch = "metadata_cluster_mismatch"
    case rejectionDeferred = "rejection_deferred"
    // Dials
    case dialSucceeded = "dial_succeeded"
    case dialFailed = "dial_failed"
    case dialTimedOut = "dial_timed_out"
    case connectRequested = "connect_requested"
    case connectRefused = "connect_refused"
    case disconnectRequested = "disconnect_requested"
    case commandExpired = "command_expired"
    // Connectivity loop
    case inboundRelayPruned = "inbound_relay_pruned"
    /// Outbound relay peers above the outbound target once their identities are known: the
    /// youngest unprotected (off-shard first) are disconnected.
    case outboundRelayPruned = "outbound_relay_pruned"
    /// Dials held back: connected peers and dials in flight reach `--max-connections`.
    case maxConnectionsReached = "max_connections_reached"
    case outboundTargetMet = "outbound_target_met"
    case outboundFill = "outbound_fill"
    case noConnectableCandidates = "no_connectable_candidates"
    case dialBatchInFlight = "dial_batch_in_flight"
    case offline = "offline"
    case shardOutboundFill = "shard_outbound_fill"
    case shardInboundPruned = "shard_inbound_pruned"
    /// A subscribed shard has fewer connected relay peers than the shard floor (the alarm).
    case shardBelowFloor = "shard_below_floor"
    /// The host was asked to discover peers of a short shard the store knows too few
    /// connectable peers of.
    case discoveryRequested = "discovery_requested"
    case reconnectScheduled = "reconnect_scheduled"
    case reconnectDialed = "reconnect_dialed"
    case reachabilityChanged = "reachability_changed"
    // Peer-store pruning
    case storePruned = "store_pruned"
    case storeWithinCapacity = "store_within_capacity"
    // Service slots
    case serviceSlotAdded = "service_slot_added"
    case serviceSlotRemoved = "service_slot_removed"
    case serviceSlotRefusedRelay = "service_slot_refused_relay"
    case serviceSlotsFull = "service_slots_full"
    // Host lifecycle
    case hostAttached = "host_attached"
    case hostDetached = "host_detached"
    // Peer lifecycle
    /// A policy disconnect failed: retried at the next tick, up to 3 attempts.
    case disconnectFailed = "disconnect_failed"
}

/// A decision record: what the engine decided, about whom, with the numbers behind it.
///
/// The numbers are optional and mean, where given: `current` the measured quantity (e.g. 4
/// outbound relay peers), `target` the target or limit it was compared with (10), `chosen` how
/// many peers were acted on (6 dials), `available` how many were eligible (37 connectable).
/// `detail` is the human sentence: "out relay 4/10, dialing 6 of 37 connectable". It is for
/// people (the log line, Watch's `detail`): what a program needs from a decision is a typed field
/// here, so nothing parses the sentence.
public struct Decision: Sendable, Hashable, CustomStringConvertible {
    public var reason: DecisionReason
    /// The peer the decision is about, if it is about one.
    public var peer: PeerID?
    /// The peers acted on when there are several (a dial batch, pruned peers).
    public var peers: [PeerID]
    public var current: Int?
    public var target: Int?
    public var chosen: Int?
    public var available: Int?
    /// What went wrong, as the host reported it, for `dial_failed`, `metadata_failed` and
    /// `disconnect_failed`: the host's error text verbatim, or the outcome that stood for one
    /// ("unexpected outcome" for a dial answered with metadata; "timed out" or "no answer" for a
    /// metadata request or disconnect the host never completed). `waku_peers_dials{outcome}` takes
    /// it as the label value of a failed dial.
    public var hostError: String?
    /// The reason of the disconnect a `disconnect_failed` decision is about (a policy cut such as
    /// `inbound_relay_pruned`, one of ``DecisionReason/disconnectReasons``).
    public var disconnectReason: DecisionReason?
    public var detail: String

    public init(
        _ reason: DecisionReason, peer: PeerID? = nil, peers: [PeerID] = [], current: Int? = nil, target: Int? = nil,
        chosen: Int? = nil, available: Int? = nil, hostError: String? = nil, disconnectReason: DecisionReason? = nil,
        detail: String
    ) {
        self.reason = reason
        self.peer = peer
        self.peers = peers
        self.current = current
        self.target = target
        self.chosen = chosen
        self.available = available
        self.hostError = hostError
        self.disconnectReason = disconnectReason
        self.detail = detail
    }

    public var description: String {
        "\(reason.rawValue)\(peer.map { " \($0)" } ?? ""): \(detail)"
    }
}

extension DecisionReason {
    /// The reasons the engine sends as a disconnect command's reason (`disconnect.reason` on the
    /// wire): a policy cut or a request. docs/protocol.md marks them in its reason table; a test
    /// checks the two agree.
    public static let disconnectReasons: Set<DecisionReason> = [
        .inboundRelayLimit, .colocationLimit, .metadataFailed, .metadataMissingCluster, .metadataClusterMismatch,
        .disconnectRequested, .inboundRelayPruned, .outboundRelayPruned, .shardInboundPruned,
    ]
}
