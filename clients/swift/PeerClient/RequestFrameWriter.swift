import NIOCore
import PeerWire

/// Writes a Request frame's envelope (`ttrpc.Request`) straight into the frame, the request
/// message encoded in place: one buffer per call.
///
/// Encoding the envelope through protobuf-c (``RequestEnvelope/encode(into:)``) copies the
/// service, the method and the payload into C memory first, about ten allocations per call, and
/// the payload was encoded into a buffer of its own before that: most of what a small call cost
/// the client. The envelope's four fields are simple enough to write by hand, in protobuf-c's
/// own order and form (field-number order, proto3 defaults left out), so the bytes are the same
/// as protobuf-c's (RequestFrameTests compares them); the request message itself is still
/// encoded by protobuf-c.
enum RequestFrameWriter {
    // ttrpc.Request's fields: (number << 3) | wire type.
    static let serviceTag: UInt8 = 1 << 3 | 2
    static let methodTag: UInt8 = 2 << 3 | 2
    static let payloadTag: UInt8 = 3 << 3 | 2
    static let timeoutTag: UInt8 = 4 << 3 | 0

    /// The frame: 10 zero bytes for the header (the event loop writes it once the stream id is
    /// known), then the envelope with the payload `writePayload` appends.
    static func frame(
        service: String, method: String, timeoutNanos: Int64, writePayload: (inout ByteBuffer) -> Void
    ) -> ByteBuffer {
        var frame = ByteBuffer()
        frame.reserveCapacity(FrameHeader.size + service.utf8.count + method.utf8.count + 96)
        frame.writeRepeatingByte(0, count: FrameHeader.size)
        writeString(serviceTag, service, into: &frame)
        writeString(methodTag, method, into: &frame)
        writePayloadField(into: &frame, writePayload)
        if timeoutNanos != 0 {
            frame.writeInteger(timeoutTag)
            writeVarint(UInt64(bitPattern: timeoutNanos), into: &frame)  // int64: two's complement
        }
        return frame
    }

    /// A string field; proto3 leaves an empty one out.
    private static func writeString(_ tag: UInt8, _ value: String, into frame: inout ByteBuffer) {
        let count = value.utf8.count
        guard count > 0 else { return }
        frame.writeInteger(tag)
        writeVarint(UInt64(count), into: &frame)
        frame.writeString(value)
    }

    /// The payload field, written before its length is known: one byte is reserved for the
    /// length (a small message's), and a longer message is moved up by the bytes its length
    /// needs beyond that one. An empty payload is left out, as proto3 does.
    private static func writePayloadField(into frame: inout ByteBuffer, _ writePayload: (inout ByteBuffer) -> Void) {
        let tagIndex = frame.writerIndex
        frame.writeInteger(payloadTag)
        frame.writeInteger(UInt8(0))
        let start = frame.writerIndex
        writePayload(&frame)
        let length = frame.writerIndex - start
        if length == 0 {
            frame.moveWriterIndex(to: tagIndex)
            return
        }
        let lengthBytes = varintSize(UInt64(length))
        if lengthBytes > 1 {
            let extra = lengthBytes - 1
            frame.writeRepeatingByte(0, count: extra)
            let offset = start - frame.readerIndex
            frame.withUnsafeMutableReadableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                (base + offset + extra).copyMemory(from: base + offset, byteCount: length)
            }
        }
        var value = UInt64(length)
        var index = start - 1
        while value >= 0x80 {
            frame.setInteger(UInt8(truncatingIfNeeded: value) | 0x80, at: index)
            value >>= 7
            index += 1
        }
        frame.setInteger(UInt8(value), at: index)
    }

    static func writeVarint(_ value: UInt64, into buffer: inout ByteBuffer) {
        var value = value
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    static func varintSize(_ value: UInt64) -> Int {
        // 7 bits a byte; 0 takes one byte.
        max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }
}
