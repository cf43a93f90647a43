import NIOCore

/// What a decoded message may hold, checked on every decode before a value reaches Swift.
///
/// protobuf-c hands string fields to Swift as C strings, which end at the first NUL byte: without
/// a check, `"Check\0evil"` would be served as `Check` and `"<id>\0junk"` would name `<id>`. Every
/// decode therefore passes over the message's raw bytes first (see `ByteBuffer.unpackProtobufC`)
/// and refuses a string with a NUL byte, or a string or bytes field longer than `maxFieldBytes`,
/// with a ``WireFieldError``.
public struct WireLimits: Hashable, Sendable {
    /// The longest string or bytes field accepted, in bytes. The envelope's `payload` (a whole
    /// request message, checked when that message is decoded) is exempt; the envelope's
    /// `metadata` entries, encoded, count together as one field, as do a message's unknown fields
    /// (protobuf-c allocates for each).
    public var maxFieldBytes: Int
    /// The most items one repeated field of one message may hold. protobuf-c allocates for every
    /// item and the Swift value copies each, so without it a frame of 4 MiB carrying two million
    /// empty addresses costs most of a second and 160 MB before any per-peer limit can look.
    public var maxRepeatedItems: Int

    /// - Parameters:
    ///   - maxFieldBytes: raised to `maxFieldBytesRange.lowerBound` when below it (the
    ///     configuration refuses such a value at start; the decoder relies on the floor to skip
    ///     reading the limits for short fields).
    ///   - maxRepeatedItems: raised to `maxRepeatedItemsRange.lowerBound` when below it, likewise.
    public init(
        maxFieldBytes: Int = WireLimits.defaultMaxFieldBytes, maxRepeatedItems: Int = WireLimits.defaultMaxRepeatedItems
    ) {
        self.maxFieldBytes = Swift.max(maxFieldBytes, Self.maxFieldBytesRange.lowerBound)
        self.maxRepeatedItems = Swift.max(maxRepeatedItems, Self.maxRepeatedItemsRange.lowerBound)
    }

    /// 4 KiB. The longest legitimate single fields are about a tenth of it: an ENR is at most 300
    /// bytes of RLP, about 410 characters of text; a multiaddr with a 253-character DNS name and a
    /// peer id is under 400; a libp2p public key is at most about 1.1 KB (RSA at its 8192-bit cap).
    /// Repeated fields (a host's hello snapshot, a peer's addresses) are checked item by item, so
    /// their totals are not bound by it.
    public static let defaultMaxFieldBytes = 4096

    /// The values `maxFieldBytes` may take: at least an ENR and a long multiaddr, at most 1 MiB.
    public static let maxFieldBytesRange = 512...(1 << 20)

    /// 4096. The longest legitimate lists are a host's hello snapshot (one entry per open
    /// connection: nwaku's default is 50, large nodes hold a few hundred) and a ReportEvents batch
    /// (a host sends what its switch saw since the last call); a peer's addresses and protocols
    /// are bounded far lower by the store's own per-peer limits.
    public static let defaultMaxRepeatedItems = 4096

    /// The values `maxRepeatedItems` may take.
    public static let maxRepeatedItemsRange = 64...(1 << 20)

    /// The default limits.
    public static let standard = WireLimits()

    /// The limits every `init(wire:)` applies: `standard` unless a caller bound others, as the
    /// server does with its configured limits around each call.
    @TaskLocal public static var current: WireLimits = .standard
}

/// A decoded message whose string or bytes field is refused by the ``WireLimits``.
public struct WireFieldError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Problem: Hashable, Sendable {
        /// A string field holds a NUL byte, which C strings (and so protobuf-c) would cut at.
        case nulByte
        /// A string or bytes field holds `byteCount` bytes, over `limit`.
        case tooLong(byteCount: Int, limit: Int)
        /// A repeated field holds more than `limit` items.
        case tooManyItems(limit: Int)
    }

    /// The field's full protobuf name, e.g. `waku.peermanager.v1.AddPeerRequest.address`.
    public var field: String
    public var problem: Problem

    public init(field: String, problem: Problem) {
        self.field = field
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .nulByte: "\(field): a string must not contain a NUL byte"
        case .tooLong(let byteCount, let limit): "\(field): \(byteCount) bytes, more than the limit of \(limit)"
        case .tooManyItems(let limit): "\(field): more than \(limit) items"
        }
    }
}

extension WireMessage {
    /// Decodes with `limits` instead of ``WireLimits/current``.
    public init(wire buffer: ByteBuffer, limits: WireLimits) throws {
        self = try WireLimits.$current.withValue(limits) { try Self(wire: buffer) }
    }
}
