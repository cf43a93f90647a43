import PeerIdentity

/// Cool-downs by the reason a peer was cut (issue 14, after Nimbus: an irrelevant network 24 h, a
/// fault 10 min). A peer rejected for being on another network is deleted from the books, so
/// discovery re-adds it minutes later and, without a cool-down, the loop dials it, runs the
/// metadata exchange and cuts it again, over and over (nwaku #4245 reports 335 such disconnects
/// per 2 minutes). The table is a pure function; the book of running cool-downs is bounded.
public struct ReconnectCooldowns: Sendable {
    /// How long policy leaves a peer alone after a cut for `reason`; `nil`: no cool-down (dial
    /// failures have their own backoff; surplus pruning cuts healthy peers).
    public static func duration(after reason: DecisionReason) -> Duration? {
        switch reason {
        case .metadataClusterMismatch, .metadataMissingCluster: .seconds(24 * 3600)
        case .metadataFailed: .seconds(600)
        default: nil
        }
    }

    /// Running cool-downs and when each ends.
    public private(set) var until: [PeerID: EngineTime] = [:]
    /// The most cool-downs kept; past it the one ending first goes (a bound on what hostile
    /// metadata answers can make the engine store).
    public let limit: Int

    public init(limit: Int = 4096) { self.limit = max(limit, 1) }

    public var isEmpty: Bool { until.isEmpty }

    /// Starts the cool-down of `reason` for `peer`, if that reason has one.
    public mutating func start(_ peer: PeerID, after reason: DecisionReason, now: EngineTime) {
        guard let duration = Self.duration(after: reason) else { return }
        if until[peer] == nil, until.count >= limit {
            until = until.filter { $0.value > now }
            if until.count >= limit, let first = until.min(by: { $0.value < $1.value })?.key {
                until[first] = nil
            }
        }
        until[peer] = max(until[peer] ?? now, now + duration)
    }

    /// Whether policy may dial `peer` at `now`.
    public func allows(_ peer: PeerID, now: EngineTime) -> Bool {
        until[peer].map { now >= $0 } ?? true
    }
}
