import PeerCore
import PeerIdentity
import Testing

@testable import PeerMetrics

@Suite("PeerMetrics")
struct PeerMetricsTests {
    /// Two connected relay peers (one in, one out, on shards 0 and 0+1), a store stream, a service
    /// slot, one failed and one timed-out dial.
    static func scenario() throws -> Driver {
        var driver = try Driver {
            $0.clusterID = 1
            $0.shards = [0, 1]
            $0.requestMetadataOnJoin = false
        }
        // Peer 1 dials us and speaks relay and store.
        driver.open(1, direction: .inbound)
        driver.apply(driver.engine.addPeer(relayInfo(1, shards: [0]), now: at(0)))
        driver.handle(
            .identified(
                peer: peer(1),
                IdentifyInfo(protocols: [WakuCodec.relay, WakuCodec.store], agent: "nwaku/v0.36.0")))
        driver.stream(1, WakuCodec.relay, .inbound)
        driver.stream(1, WakuCodec.store, .outbound)
        // Peer 2: we dial it.
        driver.apply(driver.engine.addPeer(relayInfo(2, shards: [0, 1]), now: at(0)))
        driver.connect(2, outcome: .succeeded)
        driver.handle(.identified(peer: peer(2), IdentifyInfo(protocols: [WakuCodec.relay], agent: "go-waku/0.9")))
        driver.stream(2, WakuCodec.relay, .outbound)
        driver.stream(2, WakuCodec.relay, .inbound)
        // Peers 3 and 4 cannot be reached.
        driver.apply(driver.engine.addPeer(relayInfo(3, shards: [1]), now: at(0)))
        driver.connect(3, outcome: .failed(reason: "connection refused"))
        driver.apply(driver.engine.addPeer(relayInfo(4, shards: [1]), now: at(0)))
        driver.connect(4, outcome: .timedOut)
        // Peer 5 holds the store slot.
        driver.apply(
            driver.engine.addServicePeer(
                PeerInfo(id: peer(5), addresses: [address(5)], protocols: [WakuCodec.store]),
                protocolID: WakuCodec.store, now: at(0)))
        return driver
    }

    @Test("Gauges follow the engine; HELP and TYPE lines are nwaku's")
    func gauges() throws {
        let driver = try Self.scenario()
        let metrics = PeerMetrics()
        metrics.update(from: driver.engine, now: at(1))
        let lines = metrics.lines
        let relay = WakuCodec.relay
        let store = WakuCodec.store
        let expected = [
            "# HELP waku_connected_peers Number of physical connections per direction and protocol",
            "# TYPE waku_connected_peers gauge",
            #"waku_connected_peers{direction="In",protocol="\#(relay)"} 1.0"#,
            #"waku_connected_peers{direction="Out",protocol="\#(relay)"} 1.0"#,
            #"waku_connected_peers{direction="In",protocol="\#(store)"} 1.0"#,
            #"waku_connected_peers{direction="Out",protocol="\#(store)"} 0.0"#,
            "# HELP waku_streams_peers Number of streams per direction and protocol",
            #"waku_streams_peers{direction="In",protocol="\#(relay)"} 2.0"#,
            #"waku_streams_peers{direction="Out",protocol="\#(relay)"} 1.0"#,
            #"waku_streams_peers{direction="In",protocol="\#(store)"} 0.0"#,
            #"waku_streams_peers{direction="Out",protocol="\#(store)"} 1.0"#,
            "# HELP waku_connected_peers_per_shard Number of physical connections per shard",
            #"waku_connected_peers_per_shard{shard="0"} 2.0"#,
            #"waku_connected_peers_per_shard{shard="1"} 1.0"#,
            "# HELP waku_connected_peers_per_agent Number of physical connections per agent",
            #"waku_connected_peers_per_agent{agent="nwaku/v0.36.0"} 1.0"#,
            #"waku_connected_peers_per_agent{agent="go-waku/0.9"} 1.0"#,
            "# HELP waku_service_peers Service peer protocol and multiaddress ",
            #"waku_service_peers{protocol="\#(store)",peerId="\#(peer(5))"} 1.0"#,
            "# HELP waku_peer_store_size Number of peers managed by the peer store",
            "# TYPE waku_peer_store_size gauge",
            "waku_peer_store_size 5.0",
            #"peerd_engine_relay_peers{direction="in"} 1.0"#,
            #"peerd_engine_relay_peers{direction="out"} 1.0"#,
            #"peerd_engine_relay_target{direction="in"} 20.0"#,
            #"peerd_engine_relay_target{direction="out"} 10.0"#,
            "peerd_engine_connected_peers 2.0",
            "peerd_engine_not_connected_peers 3.0",
            "peerd_engine_peer_store_capacity 250.0",
            "peerd_engine_online 1.0",
            // Two relay peers connected: fewer than nwaku's dLow (4), partially connected.
            "peerd_engine_connection_status 1.0",
            "peerd_host_attached 0.0",
        ]
        #expect(expected.filter { !lines.contains($0) } == [])
        // Exactly the waku protocols listed or streamed, both directions.
        #expect(lines.filter { $0.hasPrefix("waku_connected_peers{") }.count == 4)
    }

    @Test("Counters follow the decision records")
    func counters() throws {
        let driver = try Self.scenario()
        let metrics = PeerMetrics()
        metrics.record(driver.decisions)
        metrics.setHostAttached(true)
        let lines = metrics.lines
        let expected = [
            "# HELP waku_peers_dials Number of peer dials",
            "# TYPE waku_peers_dials counter",
            #"waku_peers_dials{outcome="successful"} 1"#,
            #"waku_peers_dials{outcome="timed out"} 1"#,
            #"waku_peers_dials{outcome="connection refused"} 1"#,
            "# HELP waku_node_conns_initiated Number of connections initiated",
            #"waku_node_conns_initiated{source="api"} 1"#,
            "# HELP waku_total_unique_peers total number of unique peers",
            // Peer 1 entered the store by connecting, not through addPeer (nor does nwaku count it).
            "waku_total_unique_peers 4.0",
            "# HELP peerd_engine_decisions_total Decisions recorded by the peer-management engine, by reason",
            "# TYPE peerd_engine_decisions_total counter",
            #"peerd_engine_decisions_total{reason="dial_succeeded"} 1"#,
            #"peerd_engine_decisions_total{reason="dial_failed"} 1"#,
            #"peerd_engine_decisions_total{reason="dial_timed_out"} 1"#,
            #"peerd_engine_decisions_total{reason="connect_requested"} 3"#,
            #"peerd_engine_decisions_total{reason="service_slot_added"} 1"#,
            #"peerd_engine_decisions_total{reason="store_pruned"} 0"#,
            "peerd_host_attached 1.0",
        ]
        #expect(expected.filter { !lines.contains($0) } == [])
        // Every reason has its series from the start.
        #expect(
            lines.filter { $0.hasPrefix("peerd_engine_decisions_total{") }.count == DecisionReason.allCases.count)
    }

    @Test("Re-announcing a known peer does not count as a unique peer")
    func uniquePeers() throws {
        var driver = try Driver()
        for _ in 0..<3 { driver.apply(driver.engine.addPeer(relayInfo(7, shards: [0]), now: at(0))) }
        let metrics = PeerMetrics()
        metrics.record(driver.decisions)
        #expect(metrics.lines.contains("waku_total_unique_peers 1.0"))
    }

    @Test("Dial failure texts are capped; the rest is counted as other")
    func dialOutcomeCap() {
        let metrics = PeerMetrics()
        let failures = (0..<(PeerMetrics.maxDialOutcomes + 5)).map {
            Decision(
                .dialFailed, peer: peer($0), hostError: "error \($0)",
                detail: "dial failed (error \($0)); failure 1/5, next attempt in 120 s")
        }
        metrics.record(failures)
        metrics.record([Decision(.dialSucceeded, peer: peer(1), detail: "dial cmd-1 succeeded")])
        metrics.record([failures[0]])
        let dials = metrics.lines.filter { $0.hasPrefix("waku_peers_dials{") }
        #expect(dials.count == PeerMetrics.maxDialOutcomes + 2)
        #expect(dials.contains(#"waku_peers_dials{outcome="error 0"} 2"#))
        #expect(dials.contains(#"waku_peers_dials{outcome="other"} 5"#))
        #expect(dials.contains(#"waku_peers_dials{outcome="successful"} 1"#))
    }

    @Test(
        "The host's error text of a failed dial is the outcome label, read from the decision's field",
        arguments: [
            ("connection refused", "connection refused"),
            // Text that looks like the engine's sentence around it is not cut.
            ("a (b); failure c", "a (b); failure c"),
            ("", ""),
        ])
    func dialFailureLabel(hostError: String, expected: String) throws {
        var driver = try Driver()
        driver.apply(driver.engine.addPeer(relayInfo(3, shards: [0]), now: at(0)))
        driver.connect(3, outcome: .failed(reason: hostError))
        let failed = driver.decisions.filter { $0.reason == .dialFailed }
        #expect(failed.map(\.hostError) == [hostError])
        let metrics = PeerMetrics()
        metrics.record(driver.decisions)
        #expect(metrics.lines.contains(#"waku_peers_dials{outcome="\#(expected)"} 1"#))
    }

    @Test("Agents beyond the top ones are summed as other")
    func agentCap() {
        var counts: [String: Int] = [:]
        for n in 0..<(PeerMetrics.maxAgents + 3) { counts["agent-\(n)"] = n + 1 }
        let top = PeerMetrics.topAgents(counts)
        #expect(top.count == PeerMetrics.maxAgents + 1)
        #expect(top[["other"]] == 6)  // agents 0, 1, 2 with 1 + 2 + 3 peers
        #expect(top[["agent-12"]] == 13)
    }

    @Test("Gauges of label sets that went away are removed")
    func staleGauges() throws {
        var driver = try Self.scenario()
        let metrics = PeerMetrics()
        metrics.update(from: driver.engine, now: at(1))
        #expect(metrics.lines.contains { $0.hasPrefix("waku_service_peers{") })
        driver.apply(driver.engine.removeServicePeer(peer(5), protocolID: WakuCodec.store))
        driver.handle(.connectionClosed(ConnectionID(1)))
        metrics.update(from: driver.engine, now: at(2))
        let lines = metrics.lines
        #expect(!lines.contains { $0.hasPrefix("waku_service_peers") })
        #expect(!lines.contains { $0.contains("nwaku/v0.36.0") })
        #expect(lines.contains(#"waku_connected_peers_per_agent{agent="go-waku/0.9"} 1.0"#))
    }

    @Test("RPC calls are counted by method and code, latency by method")
    func rpc() {
        let metrics = PeerMetrics()
        let method = "/waku.peermanager.v1.PeerManager/ListPeers"
        metrics.recordCall(method: method, code: "OK", duration: .microseconds(40))
        metrics.recordCall(method: method, code: "OK", duration: .milliseconds(3))
        metrics.recordCall(method: method, code: "INVALID_ARGUMENT", duration: .microseconds(20))
        let lines = metrics.lines
        let expected = [
            "# HELP peerd_rpc_calls_total Finished RPC calls by method and status code",
            #"peerd_rpc_calls_total{method="\#(method)",code="OK"} 2"#,
            #"peerd_rpc_calls_total{method="\#(method)",code="INVALID_ARGUMENT"} 1"#,
            "# HELP peerd_rpc_duration_seconds RPC latency from request to response, by method",
            "# TYPE peerd_rpc_duration_seconds histogram",
            #"peerd_rpc_duration_seconds_bucket{method="\#(method)",le="0.00001"} 0"#,
            #"peerd_rpc_duration_seconds_bucket{method="\#(method)",le="0.000025"} 1"#,
            #"peerd_rpc_duration_seconds_bucket{method="\#(method)",le="0.00005"} 2"#,
            #"peerd_rpc_duration_seconds_bucket{method="\#(method)",le="0.005"} 3"#,
            #"peerd_rpc_duration_seconds_bucket{method="\#(method)",le="+Inf"} 3"#,
            #"peerd_rpc_duration_seconds_count{method="\#(method)"} 3"#,
        ]
        #expect(expected.filter { !lines.contains($0) } == [])
    }

    @Test("Methods beyond the cap are counted as other")
    func methodCap() {
        let metrics = PeerMetrics()
        for n in 0..<(PeerMetrics.maxMethods + 10) {
            metrics.recordCall(method: "/s/M\(n)", code: "OK", duration: .microseconds(50))
        }
        let counts = metrics.lines.filter { $0.hasPrefix("peerd_rpc_calls_total{") }
        #expect(counts.count == PeerMetrics.maxMethods)
        #expect(counts.contains(#"peerd_rpc_calls_total{method="other",code="OK"} 11"#))
    }
}
