import Foundation
import PeerClient
import PeerTestSupport
import PeerWire
import Testing

/// How calls behave on the connection: many in flight, deadlines, cancellation (peerd sees it),
/// reconnecting after peerd restarts.
@Suite("PeerClient: calls on one connection", .timeLimit(.minutes(1)))
struct CallBehaviourTests {
    typealias V1 = PeerManagerV1

    @Test("A thousand calls in flight on one connection each get their own reply")
    func manyInFlight() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                for n in 0..<10 { _ = try await client.peerManager.addPeer(.init(source: .peer(Fixtures.peer(n)))) }
                try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for call in 0..<1000 {
                        group.addTask {
                            let peer = try await client.peerManager.getPeer(.init(peerID: Fixtures.peerID(call % 10)))
                            return (call, peer.peerID)
                        }
                    }
                    var replies = 0
                    for try await (call, peerID) in group {
                        #expect(peerID == Fixtures.peerID(call % 10))
                        replies += 1
                    }
                    #expect(replies == 1000)
                }
            }
        }
    }

    @Test("The deadline goes to peerd: a Connect that waits for the host ends DEADLINE_EXCEEDED")
    func deadline() async throws {
        let log = CallLog()
        try await InProcessSidecar.run(observeCall: log.observer) { sidecar in
            try await TestHost.run(socketPath: sidecar.socketPath, handler: TestHost.ignores) { _ in
                try await Fixtures.waitUntil("attach") { sidecar.hostAttached }
                try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                    let started = ContinuousClock.now
                    let error = await #expect(throws: PeerdClientError.self) {
                        try await client.peerManager.connect(
                            .init(peers: ["\(Fixtures.address(1))/p2p/\(Fixtures.peerID(1))"]),
                            options: CallOptions(timeout: .milliseconds(300)))
                    }
                    #expect(error?.code == .deadlineExceeded)
                    #expect(ContinuousClock.now - started >= .milliseconds(300))
                    // peerd ended the call too (by its own deadline, or the client's Cancel).
                    try await Fixtures.waitUntil("server ends Connect") {
                        !log.codes(of: V1.PeerManager.connect.erased).isEmpty
                    }
                    let codes = log.codes(of: V1.PeerManager.connect.erased)
                    #expect(codes.allSatisfy { $0 == .deadlineExceeded || $0 == .cancelled })
                }
            }
        }
    }

    @Test("Cancelling the task sends Cancel: the Connect waiting on peerd ends CANCELLED there")
    func cancellation() async throws {
        let log = CallLog()
        try await InProcessSidecar.run(observeCall: log.observer) { sidecar in
            let (received, receive) = AsyncStream.makeStream(of: V1.HostCommand.self)
            try await TestHost.run(socketPath: sidecar.socketPath, handler: TestHost.ignores, received: receive) { _ in
                try await Fixtures.waitUntil("attach") { sidecar.hostAttached }
                try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                    let connecting = Task {
                        try await client.peerManager.connect(
                            .init(peers: ["\(Fixtures.address(1))/p2p/\(Fixtures.peerID(1))"]))
                    }
                    // The host got the dial: the Connect is waiting on peerd.
                    for await command in received {
                        if case .dial? = command.command { break }
                    }
                    connecting.cancel()
                    let error = await #expect(throws: PeerdClientError.self) { try await connecting.value }
                    #expect(error?.code == .cancelled)
                    try await Fixtures.waitUntil("server sees the cancel") {
                        log.codes(of: V1.PeerManager.connect.erased) == [.cancelled]
                    }
                    // The connection stays usable.
                    #expect(try await client.health.check().status == .serving)
                }
            }
        }
    }

    @Test("Leaving a Watch loop cancels the Watch on peerd")
    func watchCancelled() async throws {
        let log = CallLog()
        try await InProcessSidecar.run(observeCall: log.observer) { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let events = try await client.peerManager.watch(.init(peerEvents: true))
                let probing = Task {
                    for n in 0..<100 {
                        _ = try await client.peerManager.addPeer(.init(source: .peer(Fixtures.peer(n))))
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                defer { probing.cancel() }
                for try await _ in events { break }
                try await Fixtures.waitUntil("server ends Watch") {
                    log.codes(of: V1.PeerManager.watch.erased) == [.cancelled]
                }
            }
        }
    }

    @Test("Over the client's stream limit calls wait their turn; a waiting call can be cancelled or expire")
    func waitingCalls() async throws {
        try await InProcessSidecar.run { sidecar in
            try await TestHost.run(socketPath: sidecar.socketPath, handler: TestHost.ignores) { _ in
                try await Fixtures.waitUntil("attach") { sidecar.hostAttached }
                let client = PeerdClient(
                    connection: ClientConnection(socketPath: sidecar.socketPath, maxConcurrentStreams: 1))
                // One Connect waiting on the host holds the only stream.
                let holding = Task {
                    try await client.peerManager.connect(
                        .init(peers: ["\(Fixtures.address(1))/p2p/\(Fixtures.peerID(1))"]))
                }
                try await Fixtures.waitUntil("dial in flight") {
                    try await PeerdClient(connection: ClientConnection(socketPath: sidecar.socketPath))
                        .peerManager.getStatistics().dialsInFlight == 1
                }
                let expired = await #expect(throws: PeerdClientError.self) {
                    try await client.health.check(options: CallOptions(timeout: .milliseconds(50)))
                }
                #expect(expired?.code == .deadlineExceeded)
                let waiting = Task { try await client.health.check() }
                try await Task.sleep(for: .milliseconds(50))
                waiting.cancel()
                let cancelled = await #expect(throws: PeerdClientError.self) { try await waiting.value }
                #expect(cancelled?.code == .cancelled)
                // When the holder ends, the next call goes out.
                holding.cancel()
                _ = await holding.result
                #expect(try await client.health.check().status == .serving)
                await client.connection.close()
            }
        }
    }

    @Test("peerd restarts: the call in flight fails UNAVAILABLE, the next call reconnects")
    func reconnect() async throws {
        let directory = try InProcessSidecar.makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peerd.sock"
        try await withPeerdClient(socketPath: path) { client in
            let watch = try await InProcessSidecar.run(socketPath: path) { _ in
                #expect(try await client.health.check().status == .serving)
                return try await client.peerManager.watch(.init(decisions: true))
            }
            let lost = await #expect(throws: PeerdClientError.self) {
                for try await _ in watch {}
            }
            #expect(lost?.code == .unavailable)
            let down = await #expect(throws: PeerdClientError.self) { try await client.health.check() }
            #expect(down?.code == .unavailable)
            let status = try await InProcessSidecar.run(socketPath: path) { _ in
                try await client.health.check().status
            }
            #expect(status == .serving)
        }
    }

    @Test("A closed connection refuses calls")
    func closed() async throws {
        try await InProcessSidecar.run { sidecar in
            let connection = ClientConnection(socketPath: sidecar.socketPath)
            let status = try await HealthClient(connection: connection).check().status
            #expect(status == .serving)
            await connection.close()
            let error = await #expect(throws: PeerdClientError.self) {
                try await HealthClient(connection: connection).check()
            }
            #expect(error?.code == .unavailable)
        }
    }
}
