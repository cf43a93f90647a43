import PeerCore
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test("initial x factor^(failures-1)", arguments: [(0, 0), (1, 120), (2, 480), (3, 1920), (4, 7680)])
    func delay(failures: Int, seconds: Int64) {
        #expect(Backoff().delay(afterFailures: failures) == .seconds(seconds))
    }

    @Test("no redial after maxFailedAttempts")
    func cutoff() {
        let backoff = Backoff()
        #expect(backoff.earliestDial(failures: 4, lastFailure: at(0)) == at(7680))
        #expect(backoff.earliestDial(failures: 5, lastFailure: at(0)) == nil)
        #expect(!backoff.allowsDial(failures: 5, lastFailure: at(0), now: at(1_000_000_000)))
    }

    @Test("canBeConnected() correct")
    func canBeConnected() throws {
        // nwaku test 20: initial 1 s, factor 2, max 10.
        var engine = try engine {
            $0.initialBackoff = .seconds(1)
            $0.backoffFactor = 2
            $0.maxFailedAttempts = 10
        }
        engine.addPeer(relayInfo(1), now: at(0))
        #expect(engine.canBeConnected(peer(1), now: at(0)).allowed)

        engine.failDial(1, now: at(0))
        #expect(!engine.canBeConnected(peer(1), now: at(0)).allowed)
        #expect(engine.canBeConnected(peer(1), now: at(0) + .milliseconds(1200)).allowed)

        engine.failDial(1, now: at(10))
        #expect(engine.record(1)?.failedAttempts == 2)
        #expect(!engine.canBeConnected(peer(1), now: at(11)).allowed)
        #expect(engine.canBeConnected(peer(1), now: at(12) + .milliseconds(200)).allowed)
        #expect(engine.canBeConnected(peer(1), now: at(10)).earliest == at(12))

        let strict = Backoff(initial: .seconds(1), factor: 2, maxFailedAttempts: 2)
        #expect(!strict.allowsDial(failures: 2, lastFailure: at(10), now: at(1000)))
    }

    @Test("Peer manager updates failed peers correctly")
    func updatesFailedPeers() throws {
        var engine = try engine {
            $0.initialBackoff = .seconds(2)
            $0.backoffFactor = 2
        }
        engine.addPeer(relayInfo(1), now: at(0))
        engine.failDial(1, now: at(0))
        #expect(engine.connectedness(1) == .cannotConnect)
        #expect(engine.record(1)?.failedAttempts == 1)
        #expect(engine.record(1)?.lastFailedAttempt == at(0))
        #expect(!engine.canBeConnected(peer(1), now: at(0)).allowed)
        #expect(engine.canBeConnected(peer(1), now: at(0) + .milliseconds(2100)).allowed)

        for second in 1...3 { engine.failDial(1, now: at(Int64(second) * 100)) }
        #expect(engine.record(1)?.failedAttempts == 4)
        // A successful outbound connection resets the count.
        let dial = engine.connect(peer(1), now: at(1000))
        engine.open(1, direction: .outbound, now: at(1000))
        engine.complete(dialsIn: dial, with: .succeeded, now: at(1000))
        #expect(engine.record(1)?.failedAttempts == 0)
        #expect(engine.connectedness(1) == .connected)
    }

    @Test("an inbound connection does not reset failures")
    func inboundKeepsFailures() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        engine.failDial(1, now: at(0))
        engine.open(1, direction: .inbound, now: at(1))
        #expect(engine.record(1)?.failedAttempts == 1)
        #expect(engine.connectedness(1) == .connected)
        engine.close(1, now: at(2))
        #expect(!engine.canBeConnected(peer(1), now: at(3)).allowed)
    }

    @Test("Graceful Handling of Non-Existent Peers")
    func nonExistentPeer() throws {
        var engine = try engine()
        let actions = engine.connect(relayInfo(7), origin: .discv5, now: at(5))
        #expect(actions.dials == [peer(7)])
        engine.complete(dialsIn: actions, with: .timedOut, now: at(15))
        let record = try #require(engine.record(7))
        #expect(record.connectedness == .cannotConnect)
        #expect(record.failedAttempts == 1)
        #expect(record.lastFailedAttempt! <= at(15))
        #expect(record.origin == .discv5)
    }

    @Test("a dial without a result expires as a timeout")
    func dialExpiry() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        _ = engine.connect(peer(1), now: at(0))
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(14), using: &rng).actions.reasons.contains(.commandExpired) == false)
        let step = engine.tick(now: at(16), using: &rng)
        #expect(step.actions.reasons.contains(.commandExpired))
        #expect(step.actions.reasons.contains(.dialTimedOut))
        #expect(engine.record(1)?.failedAttempts == 1)
    }
}
