import NIOCore
import PeerCore
import PeerIdentity
import Synchronization

/// SelectPeer replies, encoded once per state of the chosen peer.
///
/// A SelectPeer answer is a pure function of the chosen peer's record and its protection tags,
/// and a node asks for the same few service peers over and over. Building and encoding the
/// reply (text forms, the protobuf-c structs, packing) was most of the call's own work, so the
/// encoded bytes are kept per peer and handed out again while the record and tags are equal
/// to the ones they were made from. Equality, not a version number, decides: nothing that
/// changes a peer can forget to invalidate an entry. Comparing is cheap, because an unchanged
/// record shares its arrays with the store. Bounded: when full, the cache starts over.
final class PeerReplyCache: Sendable {
    private struct Entry {
        var record: PeerRecord
        var tags: [String: Int]
        var reply: ByteBuffer
    }

    static let defaultCapacity = 4096

    private let capacity: Int
    private let entries = Mutex<[PeerID: Entry]>([:])

    init(capacity: Int = PeerReplyCache.defaultCapacity) {
        self.capacity = capacity
    }

    /// The reply for `record` with `tags`: the cached bytes when both are unchanged, else what
    /// `encode` makes, remembered for next time.
    func reply(for record: PeerRecord, tags: [String: Int], encode: () throws -> ByteBuffer) rethrows -> ByteBuffer {
        let hit: ByteBuffer? = entries.withLock { entries in
            guard let index = entries.index(forKey: record.id),
                entries.values[index].record == record, entries.values[index].tags == tags
            else { return nil }
            return entries.values[index].reply
        }
        if let hit { return hit }
        let reply = try encode()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[record.id] = Entry(record: record, tags: tags, reply: reply)
        }
        return reply
    }

    var count: Int { entries.withLock { $0.count } }
}
