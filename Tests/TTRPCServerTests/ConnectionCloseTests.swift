import NIOCore
import NIOEmbedded
import PeerWire
import Synchronization
import Testing

@_spi(Fuzzing) @testable import TTRPCServer

/// The connection closing under frames and streams: nothing runs on a closed connection, and
/// every stream that started is released.
@Suite("ConnectionHandler: the connection closes under its streams")
struct ConnectionCloseTests {
    /// Finding 1 of issue 8: a request answered at once, then streaming requests, in one read. The
    /// first answer's write fails (the client closed without reading), which closes the channel
    /// while the rest of the read is still being cut into frames.
    @Test(
        "Frames read in the same read after the connection closed start nothing",
        arguments: ["Count", "Sum", "Sleep"])
    func pipelinedAfterBrokenWrite(method: String) async throws {
        let harness = try await ConnectionHarness(router: .testRouter(), failingWrites: true)
        var bytes = ByteBuffer()
        let check = RequestEnvelope(service: "t", method: "Echo", payload: ByteBuffer(bytes: [1]))
        Frame(streamID: 1, type: .request, payload: check.encoded()).write(to: &bytes)
        let stream = RequestEnvelope(service: "t", method: method, payload: ByteBuffer(bytes: [3]))
        Frame(streamID: 3, type: .request, flags: .remoteClosed, payload: stream.encoded()).write(to: &bytes)
        Frame(streamID: 5, type: .request, flags: .remoteOpen, payload: stream.encoded()).write(to: &bytes)
        Frame(streamID: 5, type: .data, payload: ByteBuffer(bytes: [2])).write(to: &bytes)
        _ = try? await harness.channel.writeInbound(bytes)
        await harness.channel.testingEventLoop.run()
        #expect(!harness.channel.isActive)
        #expect(harness.registry.activeCalls == 0)
        // More bytes after the close are not read as frames either.
        _ = try? await harness.channel.writeInbound(stream.encoded())
        #expect(harness.registry.activeCalls == 0)
    }

    @Test("A stream running when the connection closes is released; its writer fails with CANCELLED")
    func streamReleasedOnClose() async throws {
        let writerError = WriterErrorBox()
        var router = RPCRouter.testRouter()
        router.register(
            service: "t", method: "Wait",
            .serverStreaming { _, _, writer in
                try? await Task.sleep(for: .seconds(3600))
                do {
                    try await writer.write(bytes: ByteBuffer(bytes: [1]))
                } catch {
                    writerError.set(error)
                    throw error
                }
            })
        let harness = try await ConnectionHarness(router: router)
        try await harness.call(1, "t", "Wait")
        await harness.channel.testingEventLoop.run()
        #expect(harness.registry.activeCalls == 1)
        try await harness.channel.close()
        await harness.channel.testingEventLoop.run()
        #expect(harness.registry.activeCalls == 0)
        let deadline = ContinuousClock.now + .seconds(10)
        while writerError.get() == nil, ContinuousClock.now < deadline {
            await harness.channel.testingEventLoop.run()
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect((writerError.get() as? RPCError)?.code == .cancelled)
    }
}

/// The error a handler's writer threw, read by the test.
private final class WriterErrorBox: Sendable {
    private let value = Mutex<(any Error)?>(nil)
    func set(_ error: any Error) { value.withLock { $0 = error } }
    func get() -> (any Error)? { value.withLock { $0 } }
}
