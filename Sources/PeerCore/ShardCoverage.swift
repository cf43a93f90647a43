/// Per-shard coverage as pure functions (issue 14): how many connected relay peers each
/// subscribed shard has, which shards are short of the floor, which peers a shard cannot lose,
/// and which candidates to dial first. nwaku has no such notion: its users report silent shards
/// (nwaku #4064, #4114); go-waku and Lighthouse (#7915) keep per-topic floors.
public enum ShardCoverage {
    /// Connected relay peers per subscribed shard: each peer counts once on every one of our
    /// shards it serves. Every subscribed shard has an entry (0 when nobody serves it).
    public static func counts(_ peers: [[UInt16]], subscribed: [UInt16]) -> [UInt16: Int] {
        var counts: [UInt16: Int] = [:]
        for shard in subscribed { counts[shard] = 0 }
        for shards in peers {
            for shard in shards where counts[shard] != nil { counts[shard, default: 0] += 1 }
        }
        return counts
    }

    /// What each short shard still needs to reach `floor`, thinnest first (ties by shard).
    public static func needs(_ counts: [UInt16: Int], floor: Int) -> [(shard: UInt16, missing: Int)] {
        counts.filter { $0.value < floor }
            .map { (shard: $0.key, missing: floor - $0.value) }
            .sorted { $0.missing != $1.missing ? $0.missing > $1.missing : $0.shard < $1.shard }
    }

    /// A peer whose departure would take one of our shards below `floor`.
    public static func isScarce(_ peerShards: [UInt16], counts: [UInt16: Int], floor: Int) -> Bool {
        peerShards.contains { shard in counts[shard].map { $0 <= floor } ?? false }
    }

    /// The peers of `chosen` (each by the subscribed shards it serves, in the order they would
    /// go) that may go one after another without a shard going below `floor`: each peer that
    /// goes lowers its shards' counts for the next. (``isScarce(_:counts:floor:)`` judges each
    /// peer alone: two peers of a shard one above the floor are each spare, not both.) Returns
    /// the indices that may go, in order.
    public static func spareable(_ chosen: [[UInt16]], counts: [UInt16: Int], floor: Int) -> [Int] {
        var counts = counts
        var spared: [Int] = []
        for (index, shards) in chosen.enumerated() where !isScarce(shards, counts: counts, floor: floor) {
            spared.append(index)
            for shard in shards { counts[shard]? -= 1 }
        }
        return spared
    }

    /// Picks candidates for the short shards: walks `candidates` (already in random order) and
    /// takes a candidate while it serves a shard that still misses dials, counting it on every
    /// short shard it serves. Each shard misses its peers times `percent` (rounded up,
    /// ``oversubscribed(_:percent:)``: many dials fail). Returns the indices taken, in order.
    public static func pick(
        _ candidates: some Sequence<[UInt16]>, needs: [(shard: UInt16, missing: Int)], percent: Int = 100
    ) -> [Int] {
        var missing: [UInt16: Int] = [:]
        for need in needs where need.missing > 0 {
            missing[need.shard] = oversubscribed(need.missing, percent: percent)
        }
        var taken: [Int] = []
        for (index, shards) in candidates.enumerated() {
            guard !missing.isEmpty else { break }
            guard shards.contains(where: { missing[$0] != nil }) else { continue }
            taken.append(index)
            for shard in shards {
                guard let left = missing[shard] else { continue }
                missing[shard] = left > 1 ? left - 1 : nil
            }
        }
        return taken
    }

    /// The dials for `deficit` free slots at `percent` oversubscription, rounded up (100: the
    /// deficit itself).
    public static func oversubscribed(_ deficit: Int, percent: Int) -> Int {
        guard deficit > 0 else { return 0 }
        return (deficit * max(percent, 100) + 99) / 100
    }

    /// The discovery requests to make: for each short shard (`needs`), thinnest first, whose
    /// known connectable candidates (`candidates[shard]`, 0 when absent) fall short of the dials
    /// that would fill it at `percent` oversubscription (many dials fail), and that was not asked
    /// for within `interval` (`lastRequested`). `wanted` is the candidates missing.
    public static func discoveryRequests(
        needs: [(shard: UInt16, missing: Int)], candidates: [UInt16: Int], lastRequested: [UInt16: EngineTime],
        now: EngineTime, interval: Duration, percent: Int
    ) -> [(shard: UInt16, wanted: Int)] {
        needs.compactMap { need in
            let dials = oversubscribed(need.missing, percent: percent)
            let known = candidates[need.shard] ?? 0
            guard known < dials else { return nil }
            if let last = lastRequested[need.shard], now < last + interval { return nil }
            return (shard: need.shard, wanted: dials - known)
        }
    }
}
