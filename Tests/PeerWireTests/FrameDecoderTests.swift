import NIOCore
import NIOEmbedded
import NIOTestUtils
import PeerWire
import Testing

@Suite("FrameDecoder")
struct FrameDecoderTests {
    static func frameBytes(_ frame: Frame) -> ByteBuffer {
        var buffer = ByteBuffer()
        frame.write(to: &buffer)
        return buffer
    }

    static let sampleFrames: [Frame] = [
        Frame(streamID: 1, type: .request, payload: ByteBuffer(bytes: [1, 2, 3])),
        Frame(streamID: 3, type: .data, flags: [.remoteClosed, .noData], payload: ByteBuffer()),
        Frame(streamID: 5, type: .response, payload: ByteBuffer(repeating: 0xAB, count: 300)),
        Frame(streamID: 7, type: MessageType(rawValue: 0x42), payload: ByteBuffer(bytes: [9])),
    ]

    @Test("Split, coalesced and shuffled input decodes to the same frames")
    func verifierAcceptsEverySplit() throws {
        let pairs = Self.sampleFrames.map { (Self.frameBytes($0), [FrameDecoder.Output.frame($0)]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder() }
    }

    @Test("Frames arrive whole whatever the chunk size", arguments: [1, 2, 7, 10, 11, 64, 4096])
    func chunkedInput(chunkSize: Int) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var all = ByteBuffer()
        for frame in Self.sampleFrames { frame.write(to: &all) }
        while let chunk = all.readSlice(length: min(chunkSize, all.readableBytes)) {
            try channel.writeInbound(chunk)
            if all.readableBytes == 0 { break }
        }
        for frame in Self.sampleFrames {
            #expect(try channel.readInbound(as: FrameDecoder.Output.self) == .frame(frame))
        }
        #expect(try channel.readInbound(as: FrameDecoder.Output.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test("A zero-length frame is a frame with an empty payload")
    func zeroLength() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        let frame = Frame(streamID: 1, type: .request, payload: ByteBuffer())
        try channel.writeInbound(Self.frameBytes(frame))
        #expect(try channel.readInbound(as: FrameDecoder.Output.self) == .frame(frame))
        #expect(try channel.finish().isClean)
    }

    @Test("An oversized frame is reported from its header alone, before any body byte arrives")
    func oversizedReportedBeforeBody() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 1024)))
        var header = ByteBuffer()
        header.writeInteger(UInt32(1_000_000))
        header.writeInteger(UInt32(9))
        header.writeInteger(MessageType.request.rawValue)
        header.writeInteger(UInt8(0))
        try channel.writeInbound(header)
        #expect(
            try channel.readInbound(as: FrameDecoder.Output.self)
                == .oversized(FrameHeader(length: 1_000_000, streamID: 9, type: .request)))
        _ = try channel.finish()
    }

    @Test("The body of an oversized frame is skipped and the next frame still decodes")
    func oversizedBodyDiscarded() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 1024)))
        let big = Frame(streamID: 1, type: .request, payload: ByteBuffer(repeating: 7, count: 5000))
        let next = Frame(streamID: 3, type: .request, payload: ByteBuffer(bytes: [1]))
        var bytes = Self.frameBytes(big)
        bytes.writeImmutableBuffer(Self.frameBytes(next))
        // Feed in 100-byte chunks so the discard spans many reads.
        while let chunk = bytes.readSlice(length: min(100, bytes.readableBytes)) {
            try channel.writeInbound(chunk)
            if bytes.readableBytes == 0 { break }
        }
        #expect(
            try channel.readInbound(as: FrameDecoder.Output.self)
                == .oversized(FrameHeader(length: 5000, streamID: 1, type: .request)))
        #expect(try channel.readInbound(as: FrameDecoder.Output.self) == .frame(next))
        #expect(try channel.finish().isClean)
    }

    @Test("A frame exactly at the limit is accepted")
    func exactlyAtLimit() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 1024)))
        let frame = Frame(streamID: 1, type: .data, payload: ByteBuffer(repeating: 1, count: 1024))
        try channel.writeInbound(Self.frameBytes(frame))
        #expect(try channel.readInbound(as: FrameDecoder.Output.self) == .frame(frame))
        #expect(try channel.finish().isClean)
    }

    @Test("A header cut short leaves bytes pending, not a frame")
    func partialHeaderAtEOF() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0]))
        #expect(try channel.readInbound(as: FrameDecoder.Output.self) == nil)
        // At EOF the partial header is dropped: no frame is invented from it.
        _ = try? channel.finish()
        #expect(try channel.readInbound(as: FrameDecoder.Output.self) == nil)
    }

    @Test("A frame is written as header then payload, big-endian")
    func frameLayout() {
        var bytes = ByteBuffer()
        Frame(streamID: 0x0102_0304, type: .data, flags: .remoteClosed, payload: ByteBuffer(bytes: [0xEE]))
            .write(to: &bytes)
        #expect(Array(bytes.readableBytesView) == [0, 0, 0, 1, 1, 2, 3, 4, 3, 1, 0xEE])
        // A header set into reserved space reads the same.
        var reserved = ByteBuffer(repeating: 0, count: FrameHeader.size)
        FrameHeader(length: 1, streamID: 0x0102_0304, type: .data, flags: .remoteClosed).set(in: &reserved, at: 0)
        #expect(Array(reserved.readableBytesView) == [0, 0, 0, 1, 1, 2, 3, 4, 3, 1])
    }
}
