import PeerMetrics
import Testing

@Suite("waku_peers_errors")
struct PeersErrorsTests {
    @Test("both storage types are exported from 0 and count what is recorded; other types are ignored")
    func storageErrors() {
        let metrics = PeerMetrics()
        #expect(metrics.lines.contains(#"waku_peers_errors{type="storage_failure"} 0"#))
        #expect(metrics.lines.contains(#"waku_peers_errors{type="storage_load_failure"} 0"#))
        metrics.recordPeersError(type: "storage_failure")
        metrics.recordPeersError(type: "storage_load_failure", count: 3)
        metrics.recordPeersError(type: "made_up", count: 5)
        metrics.recordPeersError(type: "storage_failure", count: 0)
        #expect(metrics.lines.contains(#"waku_peers_errors{type="storage_failure"} 1"#))
        #expect(metrics.lines.contains(#"waku_peers_errors{type="storage_load_failure"} 3"#))
        #expect(!metrics.lines.contains { $0.contains("made_up") })
        #expect(metrics.lines.contains("# HELP waku_peers_errors Number of peer manager errors"))
    }
}
