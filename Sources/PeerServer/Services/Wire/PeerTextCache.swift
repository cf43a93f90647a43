import PeerCore
import PeerIdentity
import Synchronization

/// The text forms (base58 peer id, multiaddr text) of the peers peerd answered with lately.
///
/// Building them was the largest part of a SelectPeer reply: base58 alone is a long division
/// per character, and an address ending in /p2p/ spells the id out a second time. Both are pure
/// functions of immutable values, so an entry is never stale; it is only replaced when the
/// peer's address list is a different one. Bounded: when full, the cache starts over.
final class PeerTextCache: Sendable {
    struct Texts {
        var id: String
        /// The addresses these texts were made from: a hit needs the same list, which is usually
        /// the very same array storage as the record's, so the comparison is one pointer check.
        var addresses: [Multiaddr]
        var addressTexts: [String]
    }

    static let defaultCapacity = 4096

    private let capacity: Int
    private let entries = Mutex<[PeerID: Texts]>([:])

    init(capacity: Int = PeerTextCache.defaultCapacity) {
        self.capacity = capacity
    }

    /// The texts of `record`'s id and addresses, from the cache or made and remembered.
    func texts(of record: PeerRecord) -> (id: String, addresses: [String]) {
        if let cached = entries.withLock({ $0[record.id] }), cached.addresses == record.addresses {
            return (cached.id, cached.addressTexts)
        }
        let texts = Texts(
            id: record.id.description, addresses: record.addresses, addressTexts: record.addresses.map(\.description))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[record.id] = texts
        }
        return (texts.id, texts.addressTexts)
    }

    var count: Int { entries.withLock { $0.count } }
}
