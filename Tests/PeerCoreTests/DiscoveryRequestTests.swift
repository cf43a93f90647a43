import PeerCore
import PeerIdentity
import Testing

@Suite("Discovery requests (pure)")
struct DiscoveryRequestPlanTests {
    static let now = at(100)

    @Test(
        "a short shard is asked for when its known candidates cannot fill it, once per interval",
        arguments: [
            // (missing, known candidates, last request (seconds before now), percent, wanted)
            (4, 0, nil, 100, 4),  // nobody known: the whole need
            (4, 3, nil, 100, 1),  // three known: one more
            (4, 4, nil, 100, nil),  // enough known for one dial each
            (4, 6, nil, 300, 6),  // many dials fail: 12 dials wanted, 6 known
            (2, 9, nil, 300, nil),
            (4, 0, 10, 100, nil),  // asked 10 s ago: within the interval
            (4, 0, 30, 100, 4),  // asked exactly one interval ago
            (4, 0, 45, 100, 4),
        ] as [(Int, Int, Int64?, Int, Int?)])
    func plan(missing: Int, known: Int, askedAgo: Int64?, percent: Int, wanted: Int?) {
        let requests = ShardCoverage.discoveryRequests(
            needs: [(shard: 3, missing: missing)], candidates: [3: known],
            lastRequested: askedAgo.map { [3: Self.now + .seconds(-$0)] } ?? [:], now: Self.now,
            interval: .seconds(30), percent: percent)
        #expect(requests.map(\.shard) == (wanted == nil ? [] : [3]))
        #expect(requests.first?.wanted == wanted)
    }

    @Test("several short shards: each on its own, in the needs' order (thinnest first)")
    func several() {
        let requests = ShardCoverage.discoveryRequests(
            needs: [(shard: 5, missing: 4), (shard: 1, missing: 2), (shard: 2, missing: 1)],
            candidates: [1: 1, 2: 5], lastRequested: [5: Self.now + .seconds(-40), 2: Self.now], now: Self.now,
            interval: .seconds(30), percent: 100)
        #expect(requests.map(\.shard) == [5, 1])
        #expect(requests.map(\.wanted) == [4, 1])
        #expect(
            ShardCoverage.discoveryRequests(
                needs: [], candidates: [:], lastRequested: [:], now: Self.now, interval: .seconds(30), percent: 100
            ).isEmpty)
    }
}

@Suite("Discovery requests (engine)")
struct DiscoveryRequestEngineTests {
    /// Ten outbound relay peers of shard 0 (the outbound target) and `thin` known, unconnected
    /// peers of shard 1.
    func thinShard(thin: Int = 0, percent: Int = 100, interval: Duration? = .seconds(30)) throws -> PeerEngine {
        var engine = try engine {
            $0.clusterID = 1
            $0.shards = [0, 1]
            $0.shardCoverageFloor = 4
            $0.dialOversubscriptionPercent = percent
            $0.discoveryRequestInterval = interval
        }
        for n in 1...10 {
            engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            engine.open(n, direction: .outbound)
        }
        for n in 0..<thin { engine.addPeer(relayInfo(11 + n, shards: [1]), origin: .discv5, now: at(0)) }
        return engine
    }

    /// The discovery requests for shard 1 (the thin one).
    func discoveryRequests(_ actions: [EngineAction]) -> [IssuedCommand] {
        actions.commands.filter { if case .requestDiscovery(_, 1, _) = $0.command { true } else { false } }
    }

    @Test("a short shard nobody known serves: the host is asked, with a decision, then not again within the interval")
    func asksAndRateLimits() throws {
        var engine = try thinShard()
        var rng = SeededGenerator()
        let step = engine.tick(now: at(1), using: &rng).actions
        let request = try #require(discoveryRequests(step).first)
        #expect(discoveryRequests(step).count == 1)
        #expect(request.command == .requestDiscovery(clusterID: 1, shard: 1, wanted: 4))
        #expect(request.command.peer == nil)
        let decision = try #require(step.decisions.first { $0.reason == .discoveryRequested })
        #expect(decision.target == 4 && decision.chosen == 4 && decision.available == 0)
        #expect(
            decision.detail
                == "shard 1/1 is below the floor of 4 with 0 connectable candidates: asking the host "
                + "(\(request.id)) to discover 4 more; next request in 30.0 s at the earliest")
        // In flight: not asked again, even after the interval.
        #expect(discoveryRequests(engine.tick(now: at(40), using: &rng).actions).isEmpty)
        // Answered: asked again only once the interval since the request has passed.
        _ = engine.handle(.commandCompleted(request.id, .succeeded), now: at(41))
        #expect(discoveryRequests(engine.tick(now: at(42), using: &rng).actions).count == 1)
        #expect(discoveryRequests(engine.tick(now: at(43), using: &rng).actions).isEmpty)
    }

    @Test("an old host that answers unsupported, or never answers, is asked again after the interval only")
    func unsupportedAndUnanswered() throws {
        var engine = try thinShard()
        var rng = SeededGenerator()
        let first = try #require(discoveryRequests(engine.tick(now: at(1), using: &rng).actions).first)
        _ = engine.handle(.commandCompleted(first.id, .failed(reason: "unsupported")), now: at(2))
        #expect(discoveryRequests(engine.tick(now: at(20), using: &rng).actions).isEmpty)
        let second = try #require(discoveryRequests(engine.tick(now: at(31), using: &rng).actions).first)
        // Never answered: forgotten after its timeout and the grace period, then asked again.
        let expired = engine.tick(now: at(31 + 66), using: &rng).actions
        #expect(expired.decisions.contains { $0.reason == .commandExpired && $0.detail.contains("\(second.id)") })
        let again = discoveryRequests(expired) + discoveryRequests(engine.tick(now: at(31 + 67), using: &rng).actions)
        #expect(again.count == 1)
    }

    @Test("enough known candidates, the setting off, or no short shard: nothing is asked")
    func notAsked() throws {
        var rng = SeededGenerator()
        var enough = try thinShard(thin: 6)
        let dialled = enough.tick(now: at(1), using: &rng).actions
        #expect(dialled.dials.count == 4)
        #expect(discoveryRequests(dialled).isEmpty)
        var off = try thinShard(interval: nil)
        let step = off.tick(now: at(1), using: &rng).actions
        #expect(step.reasons.contains(.shardBelowFloor))
        #expect(discoveryRequests(step).isEmpty)
        var covered = try engine {
            $0.clusterID = 1
            $0.shards = [0]
        }
        for n in 1...10 {
            covered.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0))
            covered.open(n, direction: .outbound)
        }
        #expect(discoveryRequests(covered.tick(now: at(1), using: &rng).actions).isEmpty)
    }

    @Test("many dials fail: with 300 % oversubscription six known candidates are too few for four missing")
    func oversubscribed() throws {
        var engine = try thinShard(thin: 6, percent: 300)
        var rng = SeededGenerator()
        let step = engine.tick(now: at(1), using: &rng).actions
        #expect(discoveryRequests(step).map(\.command) == [.requestDiscovery(clusterID: 1, shard: 1, wanted: 6)])
    }

    @Test("the interval is validated")
    func validation() {
        var configuration = EngineConfiguration.defaults
        configuration.discoveryRequestInterval = .milliseconds(10)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.discoveryRequestInterval = nil
        #expect(throws: Never.self) { try configuration.validate() }
    }
}
