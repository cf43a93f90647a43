import NIOCore
import PeerCore
import PeerIdentity
import Testing

@testable import PeerServer

@Suite("Reply and text caches")
struct ReplyCacheTests {
    static func id(_ n: UInt8) -> PeerID { try! PeerID(ed25519PublicKey: [UInt8](repeating: n, count: 32)) }

    static func record(_ n: UInt8, port: Int = 60000) -> PeerRecord {
        PeerRecord(
            id: id(n), addresses: [try! Multiaddr("/ip4/10.0.0.\(n)/tcp/\(port)/p2p/\(id(n))")],
            protocols: ["/vac/waku/store-query/3.0.0"])
    }

    @Test("A reply is encoded once per state of the peer and its tags")
    func replyPerState() {
        let cache = PeerReplyCache()
        var encodings = 0
        func reply(_ record: PeerRecord, _ tags: [String: Int] = [:]) -> ByteBuffer {
            cache.reply(for: record, tags: tags) {
                encodings += 1
                return ByteBuffer(string: "\(record.connectedness == .connected ? "up" : "down") \(tags.keys.sorted())")
            }
        }
        var record = Self.record(1)
        #expect(reply(record) == ByteBuffer(string: "down []"))
        #expect(reply(record) == ByteBuffer(string: "down []"))
        #expect(encodings == 1)

        record.connectedness = .connected
        #expect(reply(record) == ByteBuffer(string: "up []"))
        #expect(reply(record, ["slot": 1]) == ByteBuffer(string: "up [\"slot\"]"))
        #expect(reply(record, ["slot": 1]) == ByteBuffer(string: "up [\"slot\"]"))
        #expect(encodings == 3)
        #expect(cache.count == 1)
    }

    @Test("The reply cache is bounded: when full it starts over")
    func replyBounded() {
        let cache = PeerReplyCache(capacity: 4)
        for n in 1...9 { _ = cache.reply(for: Self.record(UInt8(n)), tags: [:]) { ByteBuffer() } }
        #expect(cache.count <= 4)
        #expect(cache.count >= 1)
    }

    @Test("Text forms are the values' own, and follow a new address list")
    func texts() {
        let cache = PeerTextCache(capacity: 4)
        let record = Self.record(2)
        let first = cache.texts(of: record)
        #expect(first.id == record.id.description)
        #expect(first.addresses == record.addresses.map(\.description))
        #expect(cache.texts(of: record) == first)

        let moved = Self.record(2, port: 60001)
        #expect(cache.texts(of: moved).addresses == ["/ip4/10.0.0.2/tcp/60001/p2p/\(record.id)"])
        for n in 3...12 { _ = cache.texts(of: Self.record(UInt8(n))) }
        #expect(cache.count <= 4)
    }
}
