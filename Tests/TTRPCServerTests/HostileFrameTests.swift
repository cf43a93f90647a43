import NIOCore
import NIOEmbedded
import PeerWire
import Testing

@_spi(Fuzzing) @testable import TTRPCServer

/// Headers and flags at their extremes: nothing traps, each gets its status, and the connection
/// keeps serving.
@Suite("ConnectionHandler: hostile headers and flags")
struct HostileFrameTests {
    @Test("The largest timeouts neither trap nor expire; a negative one means none")
    func extremeTimeouts() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Sleep", timeoutNanos: .max)
        try await harness.call(3, "t", "Sleep", timeoutNanos: .min)
        try await harness.call(5, "t", "Echo", timeoutNanos: .max)
        #expect(try await harness.nextResponse().streamID == 5)
        #expect(harness.registry.activeCalls == 2)
        try await harness.send(Frame(streamID: 1, type: .cancel, payload: ByteBuffer()))
        let cancelled = try await harness.nextResponse()
        #expect(cancelled.streamID == 1)
        #expect(cancelled.response.code == .cancelled)
        _ = try await harness.channel.finish()
        #expect(harness.registry.activeCalls == 0)
    }

    @Test("Unknown flag bits are ignored; every bit set opens a stream a unary method refuses")
    func unknownFlags() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Echo", flags: FrameFlags(rawValue: 0xF8))
        #expect(try await harness.nextResponse().response.code == .ok)
        try await harness.call(3, "t", "Echo", flags: FrameFlags(rawValue: 0xFF))
        #expect(try await harness.nextResponse().response.code == .unimplemented)
        try await harness.send(
            Frame(streamID: 5, type: .data, flags: FrameFlags(rawValue: 0xFF), payload: ByteBuffer()))
        #expect(try await harness.nextResponse().response.code == .invalidArgument)
        try await harness.call(7, "t", "Echo")
        #expect(try await harness.nextResponse().response.code == .ok)
    }

    @Test("A Data frame for a unary call ends that call with INVALID_ARGUMENT and cancels its handler")
    func dataForUnary() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Sleep")
        try await harness.send(Frame(streamID: 1, type: .data, payload: ByteBuffer(bytes: [1])))
        let (id, response) = try await harness.nextResponse()
        #expect(id == 1)
        #expect(response.code == .invalidArgument)
        #expect(response.message == "stream 1 accepts no data")
        #expect(harness.registry.activeCalls == 0)
        // Data for an answered inline call is dropped without an answer.
        try await harness.call(3, "t", "Echo")
        #expect(try await harness.nextResponse().response.code == .ok)
        try await harness.send(Frame(streamID: 3, type: .data, payload: ByteBuffer(bytes: [1])))
        #expect(try await harness.noOutput())
    }

    @Test("The largest length and stream id in a header are answered, not trapped on")
    func extremeHeader() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        var header = ByteBuffer()
        FrameHeader(length: .max, streamID: .max, type: .request, flags: FrameFlags(rawValue: 0xFF)).write(to: &header)
        try await harness.channel.writeInbound(header)
        let (id, response) = try await harness.nextResponse()
        #expect(id == .max)
        #expect(response.code == .resourceExhausted)
        #expect(response.message == "frame of 4294967295 bytes exceeds the maximum of 4194304")
        // What follows is that frame's body: skipped as it arrives, never read as frames.
        var next = ByteBuffer()
        Frame(streamID: 1, type: .request, payload: RequestEnvelope(service: "t", method: "Echo").encoded())
            .write(to: &next)
        try await harness.channel.writeInbound(next)
        #expect(try await harness.noOutput())
    }
}
