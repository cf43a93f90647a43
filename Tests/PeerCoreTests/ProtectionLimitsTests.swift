import PeerCore
import PeerIdentity
import Testing

/// Issue 8, finding 11: protection tags name stored peers, are bounded, and belong to an owner.
@Suite("Protection limits and owners")
struct ProtectionLimitsTests {
    static func stored(_ configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> PeerEngine {
        var engine = try engine(configure)
        for n in 1...5 { engine.addPeer(PeerInfo(id: peer(n), addresses: [address(n)]), now: at(0)) }
        return engine
    }

    @Test("an unknown peer cannot be protected")
    func unknownPeer() throws {
        var engine = try Self.stored()
        #expect(engine.protect(peer(99), tag: "store") == .unknownPeer)
        #expect(engine.protection.protectedCount == 0)
    }

    @Test("tag length, tags per peer and tags in total are bounded")
    func bounded() throws {
        var engine = try Self.stored {
            $0.limits.maxProtectionTagsPerPeer = 2
            $0.limits.maxProtectionTags = 3
            $0.limits.maxProtectionTagBytes = 8
        }
        let long = engine.protect(peer(1), tag: String(repeating: "x", count: 9))
        #expect(long == .tagTooLong(bytes: 9, limit: 8))
        #expect(long?.limit?.flag == "--max-protection-tag-bytes")
        #expect(engine.protect(peer(1), tag: "a") == nil)
        #expect(engine.protect(peer(1), tag: "b") == nil)
        // Counting an existing tag again costs nothing and is allowed.
        #expect(engine.protect(peer(1), tag: "a") == nil)
        #expect(engine.protect(peer(1), tag: "c") == .tooManyTagsOnPeer(limit: 2))
        #expect(engine.protect(peer(2), tag: "a") == nil)
        #expect(engine.protect(peer(3), tag: "a") == .tooManyTags(limit: 3))
        #expect(engine.protection.tagCount == 3)
        engine.unprotect(peer(2), tag: "a", now: at(0))
        #expect(engine.protect(peer(3), tag: "a") == nil)
    }

    @Test("releasing an owner drops its tags and keeps the others'")
    func ownerRelease() throws {
        var engine = try Self.stored()
        let alice = ProtectionOwner(1)
        let bob = ProtectionOwner(2)
        engine.protect(peer(1), tag: "store", owner: alice)
        engine.protect(peer(1), tag: "store", owner: alice)
        engine.protect(peer(2), tag: "filter", owner: alice)
        engine.protect(peer(2), tag: "filter", owner: bob)
        engine.releaseProtections(of: alice, now: at(1))
        #expect(!engine.protection.isProtected(peer(1)))
        #expect(engine.protection.tags(of: peer(2)) == ["filter": 1])
        #expect(engine.protection.ownerCount == 1)
        engine.releaseProtections(of: bob, now: at(1))
        #expect(engine.protection.protectedCount == 0)
        #expect(engine.protection.tagCount == 0)
        #expect(engine.protection.ownerCount == 0)
    }

    @Test("any client may unprotect; the count comes off the caller's hold first")
    func unprotectAcrossOwners() throws {
        var engine = try Self.stored()
        engine.protect(peer(1), tag: "store", owner: ProtectionOwner(1))
        engine.unprotect(peer(1), tag: "store", owner: ProtectionOwner(2), now: at(0))
        #expect(!engine.protection.isProtected(peer(1)))
        #expect(engine.protection.ownerCount == 0)
    }

    @Test("a deferred rejection is carried out when the owner's release unprotects the peer")
    func deferredRejectionOnRelease() throws {
        var engine = try engine { $0.clusterID = 1 }
        let joined = engine.open(1)
        let request = try #require(joined.commands.first)
        engine.protect(peer(1), tag: "store", owner: ProtectionOwner(7))
        let verdict = engine.handle(
            .commandCompleted(request.id, .metadata(.received(clusterID: 9, shards: []))), now: at(1))
        #expect(verdict.reasons == [.rejectionDeferred])
        let released = engine.releaseProtections(of: ProtectionOwner(7), now: at(2))
        #expect(released.reasons == [.metadataClusterMismatch])
        engine.close(1, now: at(3))
        #expect(!engine.store.contains(peer(1)))
    }

    @Test("removing a peer drops its tags")
    func removedPeer() throws {
        var engine = try Self.stored()
        engine.protect(peer(1), tag: "store", owner: ProtectionOwner(1))
        engine.removePeer(peer(1), now: at(0))
        #expect(engine.protection.protectedCount == 0)
        #expect(engine.protection.tagCount == 0)
        #expect(engine.protection.ownerCount == 0)
    }
}
