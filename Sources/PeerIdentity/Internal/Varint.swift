/// Unsigned LEB128 varints as multiformats uses them (multiaddr codes and lengths, multihash headers).
///
/// The multiformats spec caps varints at 9 bytes and requires the minimal encoding, so that one
/// value has one encoding; both are enforced when reading.
enum Varint {
    static func encode(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    static func encode(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        encode(value, into: &out)
        return out
    }

    enum ReadError: Error {
        case truncated, tooLong, notMinimal
    }

    /// Reads a varint at `offset` and advances it.
    static func read(_ bytes: [UInt8], at offset: inout Int) throws(ReadError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var count = 0
        while true {
            guard offset < bytes.count else { throw .truncated }
            let byte = bytes[offset]
            offset += 1
            count += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                // A final zero byte after the first one means a shorter encoding existed.
                if byte == 0 && count > 1 { throw .notMinimal }
                return value
            }
            guard count < 9 else { throw .tooLong }
            shift += 7
        }
    }
}
