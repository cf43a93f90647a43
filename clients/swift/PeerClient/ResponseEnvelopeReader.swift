import NIOCore
import PeerWire

/// Reads a Response frame's envelope (`ttrpc.Response`) without copying its payload: the reply
/// message stays a slice of the frame.
///
/// protobuf-c's unpack (``ResponseEnvelope/init(wire:)``) allocates the envelope, its status and
/// the status message in C memory and copies the payload twice (into C memory, then into a new
/// ByteBuffer) for every reply. The envelope has two fields of interest (`status` with its
/// `code` and `message`, and `payload`), so this reader walks the protobuf encoding itself, in
/// one pass, and accepts exactly what protobuf-c accepts (ResponseEnvelopeReaderTests decodes
/// the same bytes, and every truncation of them, both ways): unknown fields are skipped, a field
/// seen twice keeps its last value (a `status` seen twice merges as protobuf-c merges it), groups and a known field of
/// the wrong wire type are refused.
enum ResponseEnvelopeReader {
    struct Malformed: Error {}

    static func read(_ buffer: ByteBuffer) throws -> ResponseEnvelope {
        var code: Int32 = 0
        var message = ""
        var payloadRange: Range<Int>?
        try buffer.withUnsafeReadableBytes { bytes in
            var reader = Reader(bytes: bytes, offset: 0, end: bytes.count)
            while let (field, wireType) = try reader.nextKey() {
                switch (field, wireType) {
                case (1, 2):
                    // A status seen again is merged as protobuf-c merges it: its code replaces
                    // the earlier one (0 when it has none), its text only when it has one.
                    code = 0
                    var status = try reader.lengthDelimited()
                    while let (statusField, statusWireType) = try status.nextKey() {
                        switch (statusField, statusWireType) {
                        case (1, 0): code = Int32(truncatingIfNeeded: try status.varint())
                        case (2, 2): message = status.string(try status.lengthDelimited())
                        case (1, _), (2, _): throw Malformed()
                        default: try status.skip(statusWireType)
                        }
                    }
                case (2, 2):
                    let payload = try reader.lengthDelimited()
                    payloadRange = payload.offset..<payload.end
                case (1, _), (2, _): throw Malformed()
                default: try reader.skip(wireType)
                }
            }
        }
        var payload = ByteBuffer()
        if let range = payloadRange,
            let slice = buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count)
        {
            payload = slice
        }
        return ResponseEnvelope(code: StatusCode(rawValue: code), message: message, payload: payload)
    }

    /// A cursor over `bytes[offset..<end]`.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset: Int
        let end: Int

        /// The next field's number and wire type; nil at the end.
        mutating func nextKey() throws -> (UInt64, UInt64)? {
            guard offset < end else { return nil }
            let key = try varint()
            let field = key >> 3
            // Field 0 does not exist; protobuf-c also refuses numbers beyond 2^29 - 1.
            guard field > 0, field <= 0x1FFF_FFFF else { throw Malformed() }
            return (field, key & 7)
        }

        /// A varint of at most 10 bytes.
        mutating func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while offset < end, shift < 70 {
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            throw Malformed()
        }

        /// A length-delimited field's contents, as a cursor of its own; this one moves past it.
        mutating func lengthDelimited() throws -> Reader {
            let length = try varint()
            guard length <= UInt64(end - offset) else { throw Malformed() }
            let start = offset
            offset += Int(length)
            return Reader(bytes: bytes, offset: start, end: offset)
        }

        /// An unknown field's value.
        mutating func skip(_ wireType: UInt64) throws {
            switch wireType {
            case 0: _ = try varint()
            case 1: try advance(8)
            case 2: _ = try lengthDelimited()
            case 5: try advance(4)
            default: throw Malformed()  // groups (3, 4) and the undefined 6, 7
            }
        }

        private mutating func advance(_ count: Int) throws {
            guard count <= end - offset else { throw Malformed() }
            offset += count
        }

        /// The UTF-8 text of `field` up to its first NUL, as protobuf-c's C string reads
        /// (invalid sequences repaired, as `String(cString:)` does).
        func string(_ field: Reader) -> String {
            var end = field.offset
            while end < field.end, bytes[end] != 0 { end += 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.offset..<end]), as: UTF8.self)
        }
    }
}
