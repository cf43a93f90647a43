import PeerIdentity

/// A set of peer-table slots with O(1) insert, remove, membership and uniform random choice.
///
/// The engine's indexes (per protocol, per shard, connected, dialable...) are HandleSets, so a
/// selection never scans the store. Removal swaps the last element into the hole.
struct HandleSet: Sendable {
    private(set) var elements: [Int32] = []
    private var positions: [Int32: Int32] = [:]

    var count: Int { elements.count }
    var isEmpty: Bool { elements.isEmpty }

    func contains(_ handle: Int32) -> Bool { positions[handle] != nil }

    mutating func insert(_ handle: Int32) {
        guard positions[handle] == nil else { return }
        positions[handle] = Int32(elements.count)
        elements.append(handle)
    }

    mutating func remove(_ handle: Int32) {
        guard let position = positions.removeValue(forKey: handle) else { return }
        let last = elements.removeLast()
        if Int(position) < elements.count {
            elements[Int(position)] = last
            positions[last] = position
        }
    }

    func randomElement(using rng: inout some RandomNumberGenerator) -> Int32? {
        elements.randomElement(using: &rng)
    }
}

/// Interns strings (protocol ids, agents) so each peer stores small integers, not copies.
struct StringInterner: Sendable {
    private(set) var strings: [String] = []
    private var ids: [String: Int32] = [:]

    mutating func intern(_ string: String) -> Int32 {
        if let id = ids[string] { return id }
        let id = Int32(strings.count)
        strings.append(string)
        ids[string] = id
        return id
    }

    func id(of string: String) -> Int32? { ids[string] }

    subscript(id: Int32) -> String { strings[Int(id)] }
}
