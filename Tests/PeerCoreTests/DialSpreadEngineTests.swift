import PeerCore
import PeerIdentity
import Testing

/// The engine's non-sharded round with ``EngineConfiguration/dialSpread``: a store where 40 of
/// 50 candidates share one /16 (a Sybil in one provider) and 10 are each in their own.
@Suite("Dial spread in the engine")
struct DialSpreadEngineTests {
    /// Peers 1...40 in 10.0.0.0/16, peers 41...50 in 20.k.0.1 (k = 1...10), all relay on shard 0.
    func sybilStore(spread: Bool) throws -> PeerEngine {
        var engine = try engine { $0.dialSpread = spread }
        for n in 1...50 {
            var info = relayInfo(n, shards: [0])
            if n > 40 { info.addresses = [address(n, ip: "20.\(n - 40).0.1")] }
            engine.addPeer(info, origin: .discv5, now: at(0))
        }
        return engine
    }

    func groups(_ dials: [PeerID], in engine: PeerEngine) -> Set<DialSpread.Group> {
        Set(dials.compactMap { engine.store.record($0).map { DialSpread.Group.of($0.addresses, peer: 0) } })
    }

    @Test("the first batch takes one peer per /16 and says how many it passed over")
    func firstBatchSpread() throws {
        var engine = try sybilStore(spread: true)
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(step.actions.dials.count == 10)
        #expect(groups(step.actions.dials, in: engine).count == 10)
        let fill = try #require(step.actions.decisions.first { $0.reason == .outboundFill })
        #expect(fill.detail.contains("passed over for a network group or origin already used"))
        #expect(fill.detail.contains("over 11 network groups"))
    }

    @Test("off: the batch is a uniform sample, mostly of the crowded /16, and the decision says nothing of spread")
    func off() throws {
        var engine = try sybilStore(spread: false)
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(step.actions.dials.count == 10)
        #expect(groups(step.actions.dials, in: engine).count < 10)
        let fill = try #require(step.actions.decisions.first { $0.reason == .outboundFill })
        #expect(!fill.detail.contains("spread"))
    }

    @Test("a /16 held by a connected outbound peer waits behind untouched ones")
    func heldGroupWaits() throws {
        var engine = try sybilStore(spread: true)
        var second = relayInfo(51, shards: [0])
        second.addresses = [address(51, ip: "20.1.0.2")]
        engine.addPeer(second, origin: .discv5, now: at(0))
        engine.open(41, direction: .outbound, ip: "20.1.0.1")
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        let dialled = groups(step.actions.dials, in: engine)
        #expect(step.actions.dials.count == 10)
        #expect(!dialled.contains(.ipv4(0x1401)))
        #expect(dialled.count == 10)
    }
}
