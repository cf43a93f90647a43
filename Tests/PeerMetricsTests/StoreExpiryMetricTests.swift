import PeerMetrics
import Testing

@Suite("peerd_store_expired_peers_total")
struct StoreExpiryMetricTests {
    @Test("exported from 0 with its HELP text; sums the counts recorded, ignores zero and negative ones")
    func expiredPeers() {
        let metrics = PeerMetrics()
        #expect(metrics.lines.contains("peerd_store_expired_peers_total 0"))
        #expect(metrics.lines.contains { $0.hasPrefix("# HELP peerd_store_expired_peers_total Never-connected peers") })
        #expect(metrics.lines.contains("# TYPE peerd_store_expired_peers_total counter"))
        metrics.recordExpiredPeers(3)
        metrics.recordExpiredPeers(0)
        metrics.recordExpiredPeers(-2)
        metrics.recordExpiredPeers(1)
        #expect(metrics.lines.contains("peerd_store_expired_peers_total 4"))
    }
}
