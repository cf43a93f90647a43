import PeerCore
import PeerIdentity

/// Parsing helpers that turn bad wire input into a ``PeerManagerError`` naming the field
/// (INVALID_ARGUMENT).
///
/// Messages never repeat the client's text: the parse errors of PeerIdentity already show at most
/// a short excerpt of it with its length.
enum WireInput {
    static func peerID(_ text: String, field: String = "peer_id") throws -> PeerID {
        guard !text.isEmpty else { throw PeerManagerError.empty(field: field) }
        do {
            return try PeerID(text)
        } catch {
            throw PeerManagerError.invalid(field: field, reason: "\(error)")
        }
    }

    static func multiaddr(_ text: String, field: String) throws -> Multiaddr {
        do {
            return try Multiaddr(text)
        } catch {
            throw PeerManagerError.invalid(field: field, reason: "\(error)")
        }
    }

    static func uint16(_ value: UInt32, field: String) throws -> UInt16 {
        guard let narrow = UInt16(exactly: value) else {
            throw PeerManagerError.badRequest("\(field) \(value) is out of range (max 65535)")
        }
        return narrow
    }

    /// A `uint64 *_ms` field as a duration within `range`; 0 means "not given" (nil).
    static func milliseconds(_ value: UInt64, field: String, in range: ClosedRange<Duration>) throws -> Duration? {
        guard value != 0 else { return nil }
        let lowest = range.lowerBound.milliseconds
        let highest = range.upperBound.milliseconds
        guard value >= lowest, value <= highest, let exact = Int64(exactly: value) else {
            throw PeerManagerError.badRequest(
                "\(field) \(value) is out of range (0 for the default, or \(lowest)...\(highest))")
        }
        return .milliseconds(exact)
    }

    /// A public key given with a peer id: a libp2p protobuf `PublicKey` that parses, lies on its
    /// curve and derives exactly that peer id; otherwise INVALID_ARGUMENT naming the field.
    static func publicKey(_ bytes: [UInt8], of peer: PeerID, field: String) throws -> [UInt8] {
        do {
            _ = try LibP2PPublicKey(validating: bytes, of: peer)
            return bytes
        } catch {
            throw PeerManagerError.invalid(field: field, reason: "\(error)")
        }
    }

    /// A peer as text: a multiaddr with /p2p or an ENR, as nwaku's parsePeerInfo reads it.
    static func remotePeer(_ text: String, field: String) throws -> RemotePeerInfo {
        do {
            return try RemotePeerInfo(parsing: text)
        } catch {
            throw PeerManagerError.invalid(field: field, reason: "\(error)")
        }
    }
}
