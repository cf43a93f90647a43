import PeerCore
import PeerIdentity
import Testing

/// What logs, metrics and Watch read from a decision are typed fields, not its `detail` sentence.
@Suite("Decision fields")
struct DecisionFieldsTests {
    @Test(
        "A failed dial carries the host's error text; a timed-out one none",
        arguments: [
            (
                CommandOutcome.failed(reason: "connection refused"), DecisionReason.dialFailed,
                String?("connection refused")
            ),
            (.failed(reason: "a (b); failure c"), .dialFailed, "a (b); failure c"),
            (.metadata(.received(clusterID: 1, shards: [])), .dialFailed, "unexpected outcome"),
            (.timedOut, .dialTimedOut, nil),
        ])
    func dial(outcome: CommandOutcome, reason: DecisionReason, hostError: String?) throws {
        var engine = try engine()
        _ = engine.addPeer(relayInfo(1), now: at(0))
        let dialed = engine.connect(peer(1), now: at(0))
        let decisions = engine.complete(dialsIn: dialed, with: outcome, now: at(1)).decisions
        let failure = try #require(decisions.first { $0.reason == reason })
        #expect(failure.peer == peer(1))
        #expect(failure.hostError == hostError)
        #expect(failure.current == 1)
    }

    @Test(
        "A failed metadata exchange carries the host's error text",
        arguments: [
            (CommandOutcome.metadata(.failed(reason: "protocol not supported")), "protocol not supported"),
            (.failed(reason: "stream reset"), "stream reset"),
            (.timedOut, "timed out"),
        ])
    func metadata(outcome: CommandOutcome, hostError: String) throws {
        var engine = try engine { $0.clusterID = 4 }
        let request = try #require(engine.open(1, direction: .outbound).commands.first)
        let decisions = engine.handle(.commandCompleted(request.id, outcome), now: at(1)).decisions
        let failed = try #require(decisions.first { $0.reason == .metadataFailed })
        #expect(failed.hostError == hostError)
    }

    @Test("A failed policy disconnect carries the host's error and the disconnect's reason")
    func disconnect() throws {
        var engine = try engine { $0.colocationLimit = 1 }
        engine.open(1, ip: "7.7.7.7")
        let command = try #require(engine.open(2, ip: "7.7.7.7").commands.first)
        let decisions = engine.handle(.commandCompleted(command.id, .failed(reason: "busy")), now: at(1)).decisions
        let failed = try #require(decisions.first { $0.reason == .disconnectFailed })
        #expect(failed.hostError == "busy")
        #expect(failed.disconnectReason == .colocationLimit)
        #expect(failed.current == 1 && failed.target == 3)
    }
}
