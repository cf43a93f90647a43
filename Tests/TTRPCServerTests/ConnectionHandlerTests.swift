import NIOCore
import NIOEmbedded
import PeerWire
import Testing

@_spi(Fuzzing) @testable import TTRPCServer

@Suite("ConnectionHandler: stream rules and dispatch")
struct ConnectionHandlerTests {
    @Test("Inline call answers OK with its payload on the same stream")
    func inlineEcho() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Echo", payload: ByteBuffer(bytes: [4, 2]))
        let (id, response) = try await harness.nextResponse()
        #expect(id == 1)
        #expect(response.code == .ok)
        #expect(Array(response.payload.readableBytesView) == [4, 2])
    }

    @Test("Frames coalesced in one read, split across reads, or with an oversized body between all get answered")
    func framing() async throws {
        let harness = try await ConnectionHarness(
            router: .testRouter(), configuration: ServerConfiguration(socketPath: "/unused", maxFrameSize: 1024))
        var bytes = ByteBuffer()
        for id: UInt32 in [1, 3, 5] {
            let envelope = RequestEnvelope(service: "t", method: "Echo", payload: ByteBuffer(bytes: [UInt8(id)]))
            Frame(streamID: id, type: .request, payload: envelope.encoded()).write(to: &bytes)
            if id == 3 {
                // 2 KiB of an oversized Data frame (limit 1 KiB here) that is skipped unbuffered.
                FrameHeader(length: 2048, streamID: 99, type: .data).write(to: &bytes)
                bytes.writeRepeatingByte(0xEE, count: 2048)
            }
        }
        // Most of it in the first read, then the rest a few bytes at a time.
        try await harness.channel.writeInbound(bytes.readSlice(length: bytes.readableBytes - 2048 - 40)!)
        while bytes.readableBytes > 0 {
            try await harness.channel.writeInbound(bytes.readSlice(length: min(7, bytes.readableBytes))!)
        }
        var answered: [UInt32: [UInt8]] = [:]
        for _ in 0..<3 {
            let (id, response) = try await harness.nextResponse()
            answered[id] = Array(response.payload.readableBytesView)
        }
        #expect(answered == [1: [1], 3: [3], 5: [5]])
    }

    @Test(
        "Refusals carry gRPC's codes",
        arguments: [
            ("nope", "Echo", StatusCode.unimplemented, "service nope"),
            ("t", "Nope", .unimplemented, "method Nope"),
            ("t", "Fail", .failedPrecondition, "no"),
            ("t", "Boom", .unknown, "TestFailure()"),
        ])
    func refusals(service: String, method: String, code: StatusCode, message: String) async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, service, method)
        let (_, response) = try await harness.nextResponse()
        #expect(response.code == code)
        #expect(response.message == message)
    }

    @Test("Even and reused stream ids are INVALID_ARGUMENT and the connection keeps serving")
    func streamIDRules() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(2, "t", "Echo")
        #expect(try await harness.nextResponse().response.code == .invalidArgument)
        try await harness.call(5, "t", "Echo")
        #expect(try await harness.nextResponse().response.code == .ok)
        try await harness.call(3, "t", "Echo")
        let reused = try await harness.nextResponse()
        #expect(reused.streamID == 3)
        #expect(reused.response.code == .invalidArgument)
        #expect(reused.response.message.contains("must increment"))
        try await harness.call(7, "t", "Echo")
        #expect(try await harness.nextResponse().response.code == .ok)
    }

    @Test("An undecodable envelope is INTERNAL")
    func undecodableEnvelope() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.send(Frame(streamID: 1, type: .request, payload: ByteBuffer(bytes: [0xFF, 0xFF])))
        #expect(try await harness.nextResponse().response.code == .internal)
    }

    @Test("Unknown frame types are ignored")
    func unknownTypesIgnored() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.send(Frame(streamID: 1, type: MessageType(rawValue: 0x7F), payload: ByteBuffer(bytes: [1])))
        #expect(try await harness.noOutput())
        try await harness.call(1, "t", "Echo")
        #expect(try await harness.nextResponse().response.code == .ok)
    }

    @Test("An oversized Request is RESOURCE_EXHAUSTED on its stream")
    func oversizedRequest() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        // The header alone: the answer comes before any of the body.
        var header = ByteBuffer()
        FrameHeader(length: 5 << 20, streamID: 9, type: .request).write(to: &header)
        try await harness.channel.writeInbound(header)
        let (id, response) = try await harness.nextResponse()
        #expect(id == 9)
        #expect(response.code == .resourceExhausted)
        #expect(response.message == "frame of 5242880 bytes exceeds the maximum of 4194304")
    }

    @Test("A unary method called as a stream is UNIMPLEMENTED")
    func cardinality() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Echo", flags: .remoteOpen)
        #expect(try await harness.nextResponse().response.code == .unimplemented)
    }

    @Test("The concurrent-stream cap refuses the extra stream with RESOURCE_EXHAUSTED")
    func concurrencyCap() async throws {
        var configuration = ServerConfiguration(socketPath: "/unused")
        configuration.maxConcurrentStreams = 2
        let harness = try await ConnectionHarness(router: .testRouter(), configuration: configuration)
        try await harness.call(1, "t", "Sleep")
        try await harness.call(3, "t", "Sleep")
        try await harness.call(5, "t", "Sleep")
        let (id, response) = try await harness.nextResponse()
        #expect(id == 5)
        #expect(response.code == .resourceExhausted)
        #expect(harness.registry.activeCalls == 2)
        _ = try await harness.channel.finish()
        #expect(harness.registry.activeCalls == 0)
    }

    @Test("The deadline answers DEADLINE_EXCEEDED and cancels the handler")
    func deadline() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Sleep", timeoutNanos: 20_000_000)
        await harness.channel.testingEventLoop.advanceTime(by: .milliseconds(25))
        let (id, response) = try await harness.nextResponse()
        #expect(id == 1)
        #expect(response.code == .deadlineExceeded)
        #expect(response.message == "deadline of 20 ms exceeded")
        #expect(harness.registry.activeCalls == 0)
    }

    @Test("A Cancel frame ends the call with CANCELLED")
    func cancel() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Sleep")
        try await harness.send(Frame(streamID: 1, type: .cancel, payload: CancelMessage(reason: "bye").encoded()))
        let (id, response) = try await harness.nextResponse()
        #expect(id == 1)
        #expect(response.code == .cancelled)
        #expect(harness.registry.activeCalls == 0)
    }

    @Test("Server streaming sends Data frames, then one OK Response")
    func serverStreaming() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Count", payload: ByteBuffer(bytes: [3]), flags: .remoteClosed)
        for expected in 0..<3 as Range<UInt8> {
            let frame = try await harness.nextFrame()
            #expect(frame.type == .data)
            #expect(Array(frame.payload.readableBytesView) == [expected])
        }
        #expect(try await harness.nextResponse().response.code == .ok)
    }

    @Test("Bidirectional streaming reads Data until remote closed")
    func bidirectional() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.call(1, "t", "Sum", flags: .remoteOpen)
        try await harness.send(Frame(streamID: 1, type: .data, payload: ByteBuffer(bytes: [2])))
        try await harness.send(Frame(streamID: 1, type: .data, payload: ByteBuffer(bytes: [3])))
        try await harness.send(Frame(streamID: 1, type: .data, flags: [.remoteClosed, .noData], payload: ByteBuffer()))
        let data = try await harness.nextFrame()
        #expect(Array(data.payload.readableBytesView) == [5])
        #expect(try await harness.nextResponse().response.code == .ok)
    }

    @Test("A stream whose queue overflows fails with RESOURCE_EXHAUSTED")
    func queueOverflow() async throws {
        var configuration = ServerConfiguration(socketPath: "/unused")
        configuration.maxQueuedMessagesPerStream = 2
        var router = RPCRouter()
        router.register(
            service: "t", method: "Stuck",
            .bidirectionalStreaming { _, _, _ in
                try await Task.sleep(for: .seconds(3600))
            })
        let harness = try await ConnectionHarness(router: router, configuration: configuration)
        try await harness.call(1, "t", "Stuck", flags: .remoteOpen)
        for value in 0..<3 as Range<UInt8> {
            try await harness.send(Frame(streamID: 1, type: .data, payload: ByteBuffer(bytes: [value])))
        }
        let (id, response) = try await harness.nextResponse()
        #expect(id == 1)
        #expect(response.code == .resourceExhausted)
    }

    @Test("Data on a stream that never opened is INVALID_ARGUMENT")
    func dataOnUnknownStream() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        try await harness.send(Frame(streamID: 11, type: .data, payload: ByteBuffer(bytes: [1])))
        #expect(try await harness.nextResponse().response.code == .invalidArgument)
    }

    @Test("While draining, new calls are UNAVAILABLE")
    func draining() async throws {
        let harness = try await ConnectionHarness(router: .testRouter())
        harness.registry.drainAll()
        await harness.channel.testingEventLoop.run()
        try await harness.call(1, "t", "Echo")
        #expect(try await harness.nextResponse().response.code == .unavailable)
    }
}
