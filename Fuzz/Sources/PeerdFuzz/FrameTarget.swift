import NIOCore
import PeerWire

/// The frame decoder: the same frames come out however the bytes are cut into reads, and each
/// frame written back decodes to itself.
///
/// Input: byte 0 sets the maximum frame size (byte * 8, so that oversized frames are common),
/// byte 1 the read size; the rest is the stream.
enum FrameTarget {
    @Sendable static func run(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let maxFrameSize = Int(input[0]) * 8
        let readSize = max(1, Int(input[1]))
        let stream = input[2...]

        var whole = ByteBuffer(bytes: stream)
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        var expected: [FrameDecoder.Output] = []
        while let output = try? decoder.decode(buffer: &whole) { expected.append(output) }

        var pieces = FrameDecoder(maxFrameSize: maxFrameSize)
        var pending = ByteBuffer()
        var got: [FrameDecoder.Output] = []
        var offset = stream.startIndex
        while offset < stream.endIndex {
            let end = min(stream.endIndex, offset + readSize)
            pending.writeBytes(stream[offset..<end])
            offset = end
            while let output = try? pieces.decode(buffer: &pending) { got.append(output) }
        }
        guard got == expected else { violated("reads of \(readSize) bytes decode differently from one read") }

        for case .frame(let frame) in expected {
            guard frame.payload.readableBytes <= maxFrameSize else {
                violated("a frame of \(frame.payload.readableBytes) bytes passed a maximum of \(maxFrameSize)")
            }
            var written = ByteBuffer()
            frame.write(to: &written)
            var again = FrameDecoder(maxFrameSize: maxFrameSize)
            guard case .frame(let decoded)? = try? again.decode(buffer: &written), decoded == frame else {
                violated("a frame written back does not decode to itself")
            }
        }
    }

    @Sendable static func seeds() -> [[UInt8]] {
        func frame(_ id: UInt32, _ type: MessageType, _ flags: FrameFlags, _ payload: [UInt8]) -> [UInt8] {
            var buffer = ByteBuffer()
            Frame(streamID: id, type: type, flags: flags, payload: ByteBuffer(bytes: payload)).write(to: &buffer)
            return Array(buffer.readableBytesView)
        }
        let request = frame(1, .request, [], Array("health".utf8))
        let data = frame(3, .data, [.remoteClosed], [1, 2, 3])
        let big = frame(5, .request, [], [UInt8](repeating: 7, count: 300))
        return [
            [255, 0] + request,
            [255, 3] + request + data,
            [16, 5] + big + request,
            [255, 1] + frame(7, .cancel, [], []) + frame(9, .response, [.noData], []),
        ]
    }
}
