import PeerCore
import Testing

@Suite("Targets")
struct TargetsTests {
    @Test(
        "relay = ceil, service = floor, out = relay / 3, in = relay - out",
        arguments: [
            (50, "60:40", 30, 20, 10, 20),  // nwaku HEAD default
            (50, "50:50", 25, 25, 8, 17),  // logos-delivery default
            (45, "70:30", 32, 13, 10, 22),  // ceil(31.5), floor(13.5)
            (8, "100:0", 8, 0, 2, 6),
        ])
    func targets(maxConnections: Int, ratio: String, relay: Int, service: Int, outbound: Int, inbound: Int) throws {
        let engine = try engine {
            $0.maxConnections = maxConnections
            $0.relayServiceRatio = ratio
        }
        #expect(engine.targets == RelayTargets(maxConnections: maxConnections, ratio: RelayServiceRatio(ratio)!))
        #expect(engine.targets.relay == relay)
        #expect(engine.targets.service == service)
        #expect(engine.targets.outbound == outbound)
        #expect(engine.targets.inbound == inbound)
    }

    @Test("the configured ratio is honoured (nwaku ignores it)")
    func ratioHonoured() throws {
        let engine = try engine { $0.relayServiceRatio = "80:20" }
        #expect(engine.targets.relay == 40)
        #expect(engine.serviceSlots.maxPeers == 10)
    }

    /// Defaults: in target 20, out target 10, base 30 s, floor 1 s.
    @Test(
        "dynamic connectivity interval",
        arguments: [
            (0, 0, Duration.seconds(1)),  // no outbound peers: the 1 s floor (nwaku #3130)
            (0, 5, .seconds(15)),
            (0, 10, .seconds(30)),
            (20, 12, .seconds(30)),
            (30, 10, .seconds(15)),  // 10 excess inbound of 20: in factor 0.5
            (40, 10, .seconds(1)),  // excess >= target: in factor 0
        ])
    func dynamicInterval(inbound: Int, outbound: Int, expected: Duration) throws {
        var engine = try engine { $0.colocationLimit = 0 }
        for n in 0..<inbound {
            engine.open(n, direction: .inbound)
            engine.protect(peer(n), tag: "test")  // keeps the inbound cap from cutting the surplus
            engine.identifyRelay(n)
        }
        for n in 1000..<(1000 + outbound) {
            engine.open(n, direction: .outbound)
            engine.identifyRelay(n)
        }
        #expect(engine.nextInterval(now: at(0)) == expected)
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(0), using: &rng).nextInterval == expected)
    }
}
