import NIOCore
import PeerCore
import PeerIdentity
import PeerWire
import Testing

@testable import PeerServer

/// The host's command queue and a watcher's event queue: their rules, without a socket.
@Suite("Command outbox and Watch queue")
struct SessionQueueTests {
    static func command(_ id: UInt64) -> IssuedCommand {
        IssuedCommand(id: CommandID(id), command: .disconnect(peer: peer, reason: .disconnectRequested))
    }

    static var peer: PeerID {
        try! PeerID(ed25519PublicKey: [UInt8](repeating: 9, count: 32))
    }

    @Test("A newer consumer supersedes a waiting one, which returns at once with nothing")
    func supersede() async throws {
        let outbox = CommandOutbox(limit: 16)
        let older = Task { await outbox.take(max: 0, wait: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))  // the older one is waiting
        let newer = Task { await outbox.take(max: 0, wait: .seconds(30)) }
        #expect(await older.value == [])
        try await Task.sleep(for: .milliseconds(100))
        #expect(outbox.push([Self.command(1)]))
        #expect(await newer.value?.map(\.id.rawValue) == [1])
    }

    @Test("The limit refuses a push that would exceed it, and queues nothing of it")
    func limit() async {
        let outbox = CommandOutbox(limit: 16)
        #expect(outbox.push((1...10).map(Self.command)))
        #expect(!outbox.push((11...17).map(Self.command)))
        #expect(outbox.count == 10)
        #expect(await outbox.take(max: 4, wait: .zero)?.count == 4)
        #expect(outbox.push((11...20).map(Self.command)))
        #expect(outbox.count == 16)
    }

    @Test("Closing wakes a waiting consumer with nil and drops the queue")
    func close() async throws {
        let outbox = CommandOutbox(limit: 16)
        let waiting = Task { await outbox.take(max: 0, wait: nil) }
        try await Task.sleep(for: .milliseconds(50))
        outbox.close()
        #expect(await waiting.value == nil)
        #expect(outbox.push([Self.command(1)]))  // ignored once closed
        #expect(outbox.count == 0)
    }

    static func events(_ count: Int) -> [ByteBuffer] { (0..<count).map { ByteBuffer(integer: UInt32($0)) } }
    static let overflow = RPCError(code: .resourceExhausted, message: "behind")

    @Test("A watcher's queue: batches come out whole; beyond the limit it fails with the overflow")
    func watchQueue() async throws {
        let queue = WatchQueue<ByteBuffer>(limit: 100)
        #expect(queue.push(Self.events(60), overflow: Self.overflow))
        #expect(queue.push(Self.events(40), overflow: Self.overflow))
        #expect(try await queue.next()?.count == 100)
        // An empty queue takes one step's events whatever their number.
        #expect(queue.push(Self.events(500), overflow: Self.overflow))
        #expect(!queue.push(Self.events(1), overflow: Self.overflow))
        await #expect(throws: RPCError.self) { try await queue.next() }
    }

    @Test("A finished queue hands out what it holds, then ends")
    func watchQueueFinish() async throws {
        let queue = WatchQueue<ByteBuffer>(limit: 100)
        let waiting = Task { try await queue.next()?.count }
        try await Task.sleep(for: .milliseconds(50))
        #expect(queue.push(Self.events(3), overflow: Self.overflow))
        #expect(try await waiting.value == 3)
        #expect(queue.push(Self.events(2), overflow: Self.overflow))
        queue.finish()
        #expect(try await queue.next()?.count == 2)
        #expect(try await queue.next() == nil)
    }
}
