import NIOCore
import PeerClient
import PeerTestSupport
import PeerWire
import Testing

/// Calls from tasks that prefer the connection's event loop as their executor: the same
/// behaviour as from the pool, with the caller's code on the loop.
@Suite("PeerClient: tasks on the connection's event loop", .timeLimit(.minutes(1)))
struct TaskExecutorTests {
    @Test("Calls, many in flight, run on the loop and each get their own reply")
    func callsOnTheLoop() async throws {
        try await InProcessSidecar.run { sidecar in
            let connection = ClientConnection(socketPath: sidecar.socketPath)
            let client = PeerdClient(connection: connection)
            for n in 0..<10 { _ = try await client.peerManager.addPeer(.init(source: .peer(Fixtures.peer(n)))) }
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for call in 0..<200 {
                    group.addTask(executorPreference: connection.taskExecutor) {
                        let peer = try await client.peerManager.getPeer(.init(peerID: Fixtures.peerID(call % 10)))
                        return peer.peerID == Fixtures.peerID(call % 10)
                            && connection.taskExecutor.eventLoop.inEventLoop
                    }
                }
                var matched = 0
                for try await ok in group where ok { matched += 1 }
                #expect(matched == 200)
            }
            await connection.close()
        }
    }

    @Test("Cancelling a call made from the loop ends it CANCELLED and keeps the connection")
    func cancelOnTheLoop() async throws {
        try await InProcessSidecar.run { sidecar in
            try await TestHost.run(socketPath: sidecar.socketPath, handler: TestHost.ignores) { _ in
                try await Fixtures.waitUntil("attach") { sidecar.hostAttached }
                let connection = ClientConnection(socketPath: sidecar.socketPath)
                let client = PeerdClient(connection: connection)
                let connecting = Task(executorPreference: connection.taskExecutor) {
                    try await client.peerManager.connect(
                        .init(peers: ["\(Fixtures.address(1))/p2p/\(Fixtures.peerID(1))"]))
                }
                try await Fixtures.waitUntil("dial in flight") {
                    try await client.peerManager.getStatistics().dialsInFlight == 1
                }
                connecting.cancel()
                let error = await #expect(throws: PeerdClientError.self) { try await connecting.value }
                #expect(error?.code == .cancelled)
                let status = try await withTaskExecutorPreference(connection.taskExecutor) {
                    try await client.health.check().status
                }
                #expect(status == .serving)
                await connection.close()
            }
        }
    }
}
