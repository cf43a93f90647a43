import Foundation

/// The protobuf wire format, as far as the peer rows need it: varints and length-delimited
/// fields. Used for peerd's own rows and for nwaku's `storedInfo`, whose bytes come from a file
/// someone else wrote: reading is bounded and linear, and never traps.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(256) }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func uint(_ field: UInt64, _ value: UInt64) {
        varint(field << 3)
        varint(value)
    }

    /// A signed value as its two's complement bits (times may precede the epoch).
    mutating func int(_ field: UInt64, _ value: Int64) { uint(field, UInt64(bitPattern: value)) }

    mutating func bytes(_ field: UInt64, _ value: some Collection<UInt8>) {
        varint(field << 3 | 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: UInt64, _ value: String) { bytes(field, value.utf8) }
}

/// Why a row could not be read.
public struct RowDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Reads fields in order; every length is checked against what is left.
///
/// It reads borrowed bytes (a row straight from SQLite's buffer, or an array's storage) and
/// hands out sub-buffers of them: no copy and no reference counting per field, which is most of
/// the cost of loading 100k rows.
struct ProtoReader {
    enum Value {
        case varint(UInt64)
        case bytes(UnsafeRawBufferPointer)
    }

    private let bytes: UnsafeRawBufferPointer
    private var offset: Int

    /// `bytes` must outlive the reader and every value it returns.
    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.offset = 0
    }

    private mutating func varint() throws(RowDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if shift == 63, byte > 1 { throw RowDecodingError("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw RowDecodingError("varint longer than 10 bytes") }
        }
        throw RowDecodingError("truncated varint")
    }

    /// The next field, or nil at the end. Fixed-width fields (wire types 1 and 5) are returned
    /// as bytes so that a reader can skip them.
    mutating func next() throws(RowDecodingError) -> (field: UInt64, value: Value)? {
        guard offset < bytes.count else { return nil }
        let key = try varint()
        let field = key >> 3
        guard field > 0 else { throw RowDecodingError("field number 0") }
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .bytes(try take(8)))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else {
                throw RowDecodingError("field \(field) overruns the row")
            }
            return (field, .bytes(try take(Int(length))))
        case 5: return (field, .bytes(try take(4)))
        default: throw RowDecodingError("wire type \(key & 7) of field \(field) is not supported")
        }
    }

    private mutating func take(_ count: Int) throws(RowDecodingError) -> UnsafeRawBufferPointer {
        guard count <= bytes.count - offset else { throw RowDecodingError("truncated field") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }
}

extension ProtoReader.Value {
    func varint(_ field: UInt64) throws(RowDecodingError) -> UInt64 {
        guard case .varint(let value) = self else { throw RowDecodingError("field \(field) is not a varint") }
        return value
    }

    func bytes(_ field: UInt64) throws(RowDecodingError) -> [UInt8] {
        guard case .bytes(let value) = self else { throw RowDecodingError("field \(field) is not bytes") }
        return Array(value)
    }

    func string(_ field: UInt64) throws(RowDecodingError) -> String {
        guard case .bytes(let value) = self else { throw RowDecodingError("field \(field) is not a string") }
        guard let text = String(validating: value, as: UTF8.self) else {
            throw RowDecodingError("field \(field) is not UTF-8")
        }
        return text
    }
}

/// Runs `body` over the bytes of `bytes` with the reader's typed error.
func withBytes<R>(
    _ bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(RowDecodingError) -> R
) throws(RowDecodingError) -> R {
    let result: Result<R, RowDecodingError> = bytes.withUnsafeBytes { buffer in
        Result { () throws(RowDecodingError) -> R in try body(buffer) }
    }
    return try result.get()
}
