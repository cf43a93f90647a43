import NIOCore
import NIOEmbedded
import PeerWire
import Testing

@_spi(Fuzzing) @testable import TTRPCServer

/// Answers to calls read together leave in one flush: a client with many calls in flight on one
/// connection costs one writev per read, not one write(2) per call.
@Suite("ConnectionHandler: answers flushed once per read")
struct FlushBatchingTests {
    @Test("Inline answers written during a read wait for its end, then leave together")
    func inlineAnswersFlushAtReadComplete() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        var bytes = ByteBuffer()
        for id: UInt32 in [1, 3, 5] {
            let envelope = RequestEnvelope(service: "t", method: "Echo", payload: ByteBuffer(bytes: [UInt8(id)]))
            Frame(streamID: id, type: .request, payload: envelope.encoded()).write(to: &bytes)
        }
        let channel = harness.channel
        let pipelined = bytes
        try await channel.testingEventLoop.executeInContext { channel.pipeline.fireChannelRead(pipelined) }
        // Written, not flushed: the read is not over.
        var flushed = try await channel.readOutbound(as: ByteBuffer.self) ?? ByteBuffer()
        #expect(flushed.readableBytes == 0)
        try await channel.testingEventLoop.executeInContext { channel.pipeline.fireChannelReadComplete() }
        while var more = try await channel.readOutbound(as: ByteBuffer.self) { flushed.writeBuffer(&more) }
        var decoder = FrameDecoder()
        var answered: [UInt32] = []
        while case .frame(let frame)? = try decoder.decode(buffer: &flushed) {
            #expect(frame.type == .response)
            answered.append(frame.streamID)
        }
        #expect(answered == [1, 3, 5])
    }

    @Test("An answer written outside a read (by a handler's task) is flushed at once")
    func taskAnswerFlushesAtOnce() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Count", payload: ByteBuffer(bytes: [2]), flags: .remoteClosed)
        for index: UInt8 in [0, 1] {
            let data = try await harness.nextFrame()
            #expect(data.type == .data)
            #expect(Array(data.payload.readableBytesView) == [index])
        }
        let (id, response) = try await harness.nextResponse()
        #expect(id == 1)
        #expect(response.code == .ok)
    }
}
