import NIOCore
import PeerWire

/// Protobuf bytes written field by field, for messages the generated types cannot express.
///
/// The generated types pack strings through protobuf-c's `char *`, which stops at the first NUL:
/// a test that sends `"Check\0evil"` or a peer id with a NUL inside must write the bytes itself.
/// Field numbers come from the `.proto` files; only the wire types peerd's messages use
/// (varint and length-delimited) are here.
struct RawProtobuf: Sendable {
    private(set) var bytes: [UInt8] = []

    init() {}

    init(_ build: (inout RawProtobuf) -> Void) {
        build(&self)
    }

    mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, wireType: 0)
        Self.appendVarint(value, to: &bytes)
    }

    /// An `int64` field: negative values take ten bytes (two's complement), as protobuf writes them.
    mutating func int64(_ field: Int, _ value: Int64) {
        varint(field, UInt64(bitPattern: value))
    }

    /// A `string` field: every UTF-8 byte, NULs included.
    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    mutating func strings(_ field: Int, _ values: [String]) {
        for value in values { string(field, value) }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, wireType: 2)
        Self.appendVarint(UInt64(value.count), to: &bytes)
        bytes += value
    }

    mutating func message(_ field: Int, _ value: RawProtobuf) {
        bytes(field, value.bytes)
    }

    /// A packed `repeated uint32` field.
    mutating func packed(_ field: Int, _ values: [UInt32]) {
        var packed: [UInt8] = []
        for value in values { Self.appendVarint(UInt64(value), to: &packed) }
        bytes(field, packed)
    }

    private mutating func tag(_ field: Int, wireType: UInt8) {
        Self.appendVarint(UInt64(field) << 3 | UInt64(wireType), to: &bytes)
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// A `ttrpc.Request` envelope (service 1, method 2, payload 3, timeout_nano 4, metadata 5).
    static func request(
        service: String, method: String, payload: [UInt8] = [], timeoutNanos: Int64 = 0,
        metadata: [(key: String, value: String)] = []
    ) -> [UInt8] {
        RawProtobuf {
            $0.string(1, service)
            $0.string(2, method)
            if !payload.isEmpty { $0.bytes(3, payload) }
            if timeoutNanos != 0 { $0.int64(4, timeoutNanos) }
            for (key, value) in metadata {
                $0.message(
                    5,
                    RawProtobuf {
                        $0.string(1, key)
                        $0.string(2, value)
                    })
            }
        }.bytes
    }
}

/// Frame bytes built by hand: header fields are whatever the test says, lengths included.
enum RawFrame {
    /// A header: length, stream id (both big-endian), type, flags.
    static func header(length: UInt32, streamID: UInt32, type: UInt8, flags: UInt8 = 0) -> [UInt8] {
        withUnsafeBytes(of: length.bigEndian, Array.init) + withUnsafeBytes(of: streamID.bigEndian, Array.init)
            + [type, flags]
    }

    /// A whole frame whose header tells the payload's true length.
    static func frame(streamID: UInt32, type: UInt8, flags: UInt8 = 0, payload: [UInt8] = []) -> [UInt8] {
        header(length: UInt32(payload.count), streamID: streamID, type: type, flags: flags) + payload
    }

    /// Bytes from hex text (spaces allowed).
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace }.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) ?? 0
        }
    }
}

/// Strings with NUL bytes inside, sent through the generated types.
///
/// A test writes ``marker`` where it wants a NUL; ``encoded(_:)`` packs the message and then
/// swaps each marker for the same number of bytes with NULs at both ends, so every length prefix
/// stays right.
enum NULBytes {
    static let marker = "\u{7F}NUL\u{7F}"
    private static let markerBytes: [UInt8] = Array(marker.utf8)
    private static let replacement: [UInt8] = [0x00] + Array("NUL".utf8) + [0x00]

    /// `text` followed by a NUL and junk: what protobuf-c's `char *` cuts back to `text`.
    static func after(_ text: String) -> String { text + marker }

    static func encoded(_ message: some WireMessage) -> [UInt8] {
        var bytes = Array(message.encoded().readableBytesView)
        var index = 0
        while index + markerBytes.count <= bytes.count {
            if bytes[index..<index + markerBytes.count].elementsEqual(markerBytes) {
                bytes.replaceSubrange(index..<index + markerBytes.count, with: replacement)
                index += markerBytes.count
            } else {
                index += 1
            }
        }
        return bytes
    }
}
