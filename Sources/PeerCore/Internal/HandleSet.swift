import PeerIdentity

/// A set of peer-table slots with O(1) insert, remove, membership and uniform random choice.
///
/// The engine's indexes (per protocol, per shard, connected, dialable...) are HandleSets, so a
/// selection never scans the store. Removal swaps the last element into the hole. Positions live
/// in a dictionary while the set is sparse, and move to an array indexed by handle once the set
/// holds at least a quarter of the handle space: then an array costs no more memory than the
/// dictionary, and bulk removals (pruning half a 100k store) touch arrays instead of hashing.
struct HandleSet: Sendable {
    private(set) var elements: [Int32] = []
    private var sparse: [Int32: Int32] = [:]
    /// Position by handle, -1 when absent; used once `isDense`.
    private var dense: [Int32] = []
    private var isDense = false
    private var maxHandle: Int32 = -1

    var count: Int { elements.count }
    var isEmpty: Bool { elements.isEmpty }

    func contains(_ handle: Int32) -> Bool { position(handle) != nil }

    private func position(_ handle: Int32) -> Int32? {
        if isDense {
            let index = Int(handle)
            return index < dense.count && dense[index] >= 0 ? dense[index] : nil
        }
        return sparse[handle]
    }

    private mutating func setPosition(_ handle: Int32, _ position: Int32) {
        if isDense {
            let index = Int(handle)
            if index >= dense.count { dense.append(contentsOf: repeatElement(-1, count: index - dense.count + 1)) }
            dense[index] = position
        } else {
            sparse[handle] = position
        }
    }

    mutating func insert(_ handle: Int32) {
        guard position(handle) == nil else { return }
        setPosition(handle, Int32(elements.count))
        elements.append(handle)
        maxHandle = max(maxHandle, handle)
        if !isDense, elements.count >= 64, elements.count * 4 >= Int(maxHandle) + 1 {
            dense = [Int32](repeating: -1, count: Int(maxHandle) + 1)
            for (position, member) in elements.enumerated() { dense[Int(member)] = Int32(position) }
            sparse = [:]
            isDense = true
        }
    }

    mutating func remove(_ handle: Int32) {
        guard let position = position(handle) else { return }
        if isDense { dense[Int(handle)] = -1 } else { sparse[handle] = nil }
        let last = elements.removeLast()
        if Int(position) < elements.count {
            elements[Int(position)] = last
            setPosition(last, position)
        }
    }

    func randomElement(using rng: inout some RandomNumberGenerator) -> Int32? {
        elements.randomElement(using: &rng)
    }
}

/// Interns strings (protocol ids, agents) so each peer stores small integers, not copies.
///
/// Strings are reference counted: the store retains an id for each peer that uses it and
/// releases it when the peer drops it or leaves, and an id nobody uses is freed (and reused).
/// Clients and hosts choose these strings, so without this every protocol or agent ever seen
/// would stay for the life of the process; with it the table holds only what live peers use.
struct StringInterner: Sendable {
    /// By id; a freed id holds "" until it is reused.
    private(set) var strings: [String] = []
    private var ids: [String: Int32] = [:]
    private var references: [Int32] = []
    private var freeIDs: [Int32] = []
    /// Ids made since the last ``sweep()``: freed then if nothing retained them.
    private var fresh: [Int32] = []

    /// The number of live strings.
    var count: Int { ids.count }

    mutating func intern(_ string: String) -> Int32 {
        if let id = ids[string] { return id }
        let id: Int32
        if let reused = freeIDs.popLast() {
            id = reused
            strings[Int(id)] = string
            references[Int(id)] = 0
        } else {
            id = Int32(strings.count)
            strings.append(string)
            references.append(0)
        }
        ids[string] = id
        fresh.append(id)
        return id
    }

    func id(of string: String) -> Int32? { ids[string] }

    subscript(id: Int32) -> String { strings[Int(id)] }

    mutating func retain(_ id: Int32) { references[Int(id)] += 1 }

    /// Drops one reference; returns `true` when that freed the id.
    @discardableResult
    mutating func release(_ id: Int32) -> Bool {
        references[Int(id)] -= 1
        guard references[Int(id)] <= 0 else { return false }
        return free(id)
    }

    /// Whether ids were made since the last sweep.
    var hasFresh: Bool { !fresh.isEmpty }

    /// Frees the ids made since the last sweep that nothing retained; returns them.
    mutating func sweep() -> [Int32] {
        var freed: [Int32] = []
        for id in fresh where references[Int(id)] <= 0 && free(id) { freed.append(id) }
        fresh.removeAll(keepingCapacity: true)
        return freed
    }

    /// Frees a live id; `false` if it was already free.
    private mutating func free(_ id: Int32) -> Bool {
        let index = Int(id)
        guard ids[strings[index]] == id else { return false }
        ids[strings[index]] = nil
        strings[index] = ""
        references[index] = 0
        freeIDs.append(id)
        return true
    }
}
