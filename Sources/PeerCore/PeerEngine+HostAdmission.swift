/// Whether a host may attach, asked before anything changes (a refused hello must leave the
/// attached host as it was).
extension PeerEngine {
    /// False when the host's cluster contradicts the configured one: every metadata verdict would
    /// then be wrong. A host without a cluster, or peerd without one, is admitted.
    public func admitsHost(clusterID: UInt16?) -> Bool {
        guard let configured = configuration.clusterID, let clusterID else { return true }
        return configured == clusterID
    }
}
