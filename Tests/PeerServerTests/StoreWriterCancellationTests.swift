import Foundation
import Logging
import PeerCore
import PeerIdentity
import PeerStorage
import Synchronization
import Testing

@testable import PeerServer

/// A caller that goes away (a client hanging up during AddPeer, shutdown cancelling the
/// write-behind loop) does not cancel the store's transaction: other callers share it, and a
/// cancelled write is no disk failure.
@Suite("Peer store writer: callers' cancellation")
struct StoreWriterCancellationTests {
    @Test("a commit from a cancelled task stores the change and counts no storage failure")
    func cancelledCallerCommits() async throws {
        let (path, directory) = try PersistenceServiceTests.storeFile()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let failures = SharedCount()
        let writer = PeerStoreWriter(
            file: try PeerStoreFile.open(path: path).store, logger: Logger(label: "test"),
            onFailure: { failures.add(1) })
        let engine = try PeerEngine(configuration: .defaults { _ in }, selfID: PeerID(multihash: []))
        let runtime = EngineRuntime(engine: engine, logger: Logger(label: "test"), storeWriter: writer)
        writer.attach(runtime)
        let peer = RuntimeDeliveryTests.info(7)
        runtime.perform { engine, now, _ in ((), engine.addPeer(peer, now: now)) }
        #expect(!writer.isIdle)

        let committing = Task { () async -> PeerStorageError? in
            withUnsafeCurrentTask { $0?.cancel() }
            do throws(PeerStorageError) {
                try await writer.commit(from: runtime)
                return nil
            } catch {
                return error
            }
        }
        let failure = await committing.value
        #expect(failure == nil)
        #expect(failures.count == 0)
        #expect(writer.isIdle)
        #expect(try PersistenceServiceTests.stored(path)[peer.id] != nil)
    }
}

/// A count that escaping closures add to.
final class SharedCount: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ count: Int) { value.add(count, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}
