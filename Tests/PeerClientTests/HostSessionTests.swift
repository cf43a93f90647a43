import Foundation
import PeerClient
import PeerTestSupport
import PeerWire
import Testing

@Suite("PeerClient: HostSession", .timeLimit(.minutes(1)))
struct HostSessionTests {
    @Test("Attach, dial, result: a Connect from a client returns connected through a Swift host")
    func dialCycle() async throws {
        try await InProcessSidecar.run { sidecar in
            try await TestHost.run(socketPath: sidecar.socketPath, handler: TestHost.dialsSucceed) { session in
                try await Fixtures.waitUntil("attach") { sidecar.hostAttached }
                #expect(session.isAttached)
                try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                    let target = "\(Fixtures.address(1))/p2p/\(Fixtures.peerID(1))"
                    let reply = try await client.peerManager.connect(.init(peers: [target]))
                    #expect(reply.outcomes.count == 1)
                    #expect(reply.outcomes.first?.connected == true)
                    #expect(reply.outcomes.first?.peerID == Fixtures.peerID(1))
                    let connected = try await client.peerManager.connectedPeers()
                    #expect(connected.peers.map(\.peerID) == [Fixtures.peerID(1)])
                    // Disconnect and Reconnect go to the host too.
                    _ = try await client.peerManager.disconnect(.init(peerID: Fixtures.peerID(1)))
                    _ = try await client.peerManager.reconnect(.init(protocol: ""))
                }
            }
        }
    }

    @Test("After peerd restarts, the session attaches again with a fresh hello")
    func reattach() async throws {
        let directory = try InProcessSidecar.makeSocketDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/peerd.sock"
        try await TestHost.run(socketPath: path, handler: TestHost.dialsSucceed) { session in
            try await InProcessSidecar.run(socketPath: path) { sidecar in
                try await Fixtures.waitUntil("first attach") { sidecar.hostAttached }
            }
            // (A hello may also reach the first peerd while it drains: it counts, and ends UNAVAILABLE.)
            let before = session.attachments
            #expect(before >= 1)
            try await InProcessSidecar.run(socketPath: path) { sidecar in
                try await Fixtures.waitUntil("second attach") { sidecar.hostAttached }
                #expect(session.attachments > before)
                // The new attachment carries commands: a Connect completes through it.
                try await withPeerdClient(socketPath: path) { client in
                    let target = "\(Fixtures.address(2))/p2p/\(Fixtures.peerID(2))"
                    let reply = try await client.peerManager.connect(.init(peers: [target]))
                    #expect(reply.outcomes.first?.connected == true)
                }
            }
        }
    }

    @Test("A refused hello ends run() with peerd's status: another host holds the session")
    func refused() async throws {
        try await InProcessSidecar.run { sidecar in
            try await TestHost.run(socketPath: sidecar.socketPath, handler: TestHost.ignores) { _ in
                try await Fixtures.waitUntil("attach") { sidecar.hostAttached }
                let second = HostSession(host: HostClient(connection: ClientConnection(socketPath: sidecar.socketPath)))
                {
                    PeerManagerV1.HostHello(peerID: Fixtures.peerID(8888), online: true)
                }
                let error = await #expect(throws: PeerdClientError.self) { try await second.run() }
                #expect(error?.code == .failedPrecondition)
            }
        }
    }

    @Test(
        "A host that leaves more than commandBufferLimit commands unread: run() throws RESOURCE_EXHAUSTED, no re-attach"
    )
    func commandBufferBounded() async throws {
        try await InProcessSidecar.run { sidecar in
            let connection = ClientConnection(socketPath: sidecar.socketPath)
            let session = HostSession(host: HostClient(connection: connection), commandBufferLimit: 2) {
                PeerManagerV1.HostHello(peerID: Fixtures.hostID, online: true)
            }
            #expect(session.commandBufferLimit == 2)
            let running = Task { try await session.run() }
            try await Fixtures.waitUntil("attach") { sidecar.hostAttached }
            // Five dials for a host that reads none of them.
            let connecting = Task {
                try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                    let targets = (1...5).map { "\(Fixtures.address($0))/p2p/\(Fixtures.peerID($0))" }
                    _ = try await client.peerManager.connect(.init(peers: targets, timeoutMs: 3000))
                }
            }
            defer { connecting.cancel() }
            let error = await #expect(throws: PeerdClientError.self) { try await running.value }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.message.contains("more than 2 commands unread") == true)
            #expect(session.attachments == 1)
            // peerd sees the host go; the two buffered commands are still there, then the end.
            try await Fixtures.waitUntil("detach") { !sidecar.hostAttached }
            var buffered: [PeerManagerV1.HostCommand] = []
            for await command in session.commands { buffered.append(command) }
            #expect(buffered.count == 2)
            await connection.close()
        }
    }

    @Test(
        "Re-attach policy: passing causes re-attach, refusals do not",
        arguments: [
            (StatusCode.unavailable, true), (.cancelled, true), (.deadlineExceeded, true), (.resourceExhausted, true),
            (.internal, true), (.unknown, true), (.ok, true), (.failedPrecondition, false), (.aborted, false),
            (.invalidArgument, false), (.unimplemented, false), (.permissionDenied, false),
        ])
    func reattachPolicy(code: StatusCode, reattaches: Bool) {
        #expect(HostSession.reattaches(after: code) == reattaches)
    }
}
