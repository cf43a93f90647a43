import PeerClient
import PeerTestSupport
import PeerWire
import Testing

@Suite("PeerClient: Health", .timeLimit(.minutes(1)))
struct HealthClientTests {
    @Test("Check answers SERVING for the server and NOT_FOUND for an unknown service")
    func check() async throws {
        try await InProcessSidecar.run { sidecar in
            try await withPeerdClient(socketPath: sidecar.socketPath) { client in
                let reply = try await client.health.check()
                #expect(reply.status == .serving)
                let error = await #expect(throws: PeerdClientError.self) {
                    try await client.health.check(.init(service: "no.such.Service"))
                }
                #expect(error?.code == .notFound)
            }
        }
    }
}
