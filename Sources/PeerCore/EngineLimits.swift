/// Bounds on what clients and the host can make the engine store.
///
/// Every collection the engine keeps that a client or host can grow is bounded here, so memory
/// stays proportional to the store's capacity:
/// - **Addresses per peer** (default 32): real nodes advertise a handful (TCP, WebSocket, QUIC on
///   IPv4 and IPv6, a few circuit-relay addresses); an ENR holds at most 300 bytes of them. go-libp2p
///   caps the listen addresses it even sends in identify, and rust-libp2p caps identify at 4 KiB.
/// - **Protocols per peer** (default 128): go-libp2p's in-memory protocol book refuses more than
///   128 per peer (`ErrTooManyProtocols`); an nwaku node lists about 20.
/// - **Protection tags**: per peer (default 16), in total (default 4096) and their length (64 bytes).
///
/// A client that sends more is refused (INVALID_ARGUMENT at the server). The host's word is kept
/// but trimmed: identify is the peer's own list, so the first entries are kept and a
/// ``DecisionReason/peerTruncated`` decision says how many were dropped. The store itself never
/// holds more than the limits, whatever the path (merge, identify, snapshot import).
public struct EngineLimits: Sendable, Hashable {
    /// Most dial addresses kept per peer (`--max-addresses-per-peer`).
    public var maxAddressesPerPeer: Int = 32
    /// Most protocols kept per peer (`--max-protocols-per-peer`); also the most service slots one peer holds.
    public var maxProtocolsPerPeer: Int = 128
    /// Most distinct protection tags on one peer (`--max-protection-tags-per-peer`).
    public var maxProtectionTagsPerPeer: Int = 16
    /// Most distinct (peer, tag) protections in total (`--max-protection-tags`).
    public var maxProtectionTags: Int = 4096
    /// Longest protection tag, in UTF-8 bytes (`--max-protection-tag-bytes`).
    public var maxProtectionTagBytes: Int = 64

    public init() {}

    /// Accepted ranges, checked at start.
    public static let addressRange = 1...1024
    public static let protocolRange = 1...1024
    public static let tagsPerPeerRange = 1...1024
    public static let tagsRange = 1...1_000_000
    public static let tagBytesRange = 1...1024

    /// One limit, named by the peerd flag that sets it.
    public enum Kind: String, Sendable, Hashable {
        case addressesPerPeer = "--max-addresses-per-peer"
        case protocolsPerPeer = "--max-protocols-per-peer"
        case protectionTagsPerPeer = "--max-protection-tags-per-peer"
        case protectionTags = "--max-protection-tags"
        case protectionTagBytes = "--max-protection-tag-bytes"

        /// The flag that sets it.
        public var flag: String { rawValue }

        /// What it counts, for messages ("40 addresses exceed ...").
        public var noun: String {
            switch self {
            case .addressesPerPeer: "addresses"
            case .protocolsPerPeer: "protocols"
            case .protectionTagsPerPeer, .protectionTags: "tags"
            case .protectionTagBytes: "bytes"
            }
        }
    }

    /// The first limit `info` exceeds (what it holds, the limit), if any.
    public func violation(of info: PeerInfo) -> (kind: Kind, actual: Int, limit: Int)? {
        if info.addresses.count > maxAddressesPerPeer {
            return (.addressesPerPeer, info.addresses.count, maxAddressesPerPeer)
        }
        if info.protocols.count > maxProtocolsPerPeer {
            return (.protocolsPerPeer, info.protocols.count, maxProtocolsPerPeer)
        }
        return nil
    }

    /// Every out-of-range limit.
    public var problems: [ConfigurationError.Problem] {
        let checks: [(String, Int, ClosedRange<Int>)] = [
            ("maxAddressesPerPeer", maxAddressesPerPeer, Self.addressRange),
            ("maxProtocolsPerPeer", maxProtocolsPerPeer, Self.protocolRange),
            ("maxProtectionTagsPerPeer", maxProtectionTagsPerPeer, Self.tagsPerPeerRange),
            ("maxProtectionTags", maxProtectionTags, Self.tagsRange),
            ("maxProtectionTagBytes", maxProtectionTagBytes, Self.tagBytesRange),
        ]
        return checks.compactMap { name, value, range in
            range.contains(value)
                ? nil
                : .outOfRange(
                    setting: name, value: "\(value)", requirement: "\(range.lowerBound)...\(range.upperBound)")
        }
    }
}
