/// The summary rows as a Markdown table and as CSV (SIMULATION.md and scripts/simulate read them).
public enum SummaryTable {
    static let columns = [
        "scenario", "policy", "seed", "peers", "hours", "t_goal_s", "dials", "wasted", "wasted_pct", "non_relay",
        "peak_conns", "max_conns", "refused_at_max", "mean_out_relay", "shard_s_below_dlow", "worst_shard_s",
        "min_shard_end", "policy_disconnects", "protected_evicted", "discovery_requests", "out_groups",
        "top_group_pct", "concentrated_pct", "events", "wall_s", "disconnects_by_reason",
    ]

    static func fields(_ summary: Summary, wallSeconds: Double) -> [String] {
        [
            summary.scenario, summary.policy, String(summary.seed), String(summary.peers),
            format(summary.simulatedSeconds / 3600, 2), summary.secondsToGoal.map { format($0, 1) } ?? "never",
            String(summary.dials), String(summary.wastedDials),
            format(summary.dials == 0 ? 0 : 100 * Double(summary.wastedDials) / Double(summary.dials), 1),
            String(summary.nonRelayDials), String(summary.peakConnections), String(summary.maxConnections),
            String(summary.dialsRefusedAtMax), format(summary.meanOutboundRelay, 1),
            format(summary.shardSecondsBelowFloor, 0), format(summary.worstShardSecondsBelowFloor, 0),
            String(summary.minShardPeersAtEnd), String(summary.policyDisconnects), String(summary.protectedEvicted),
            String(summary.discoveryRequests), format(summary.meanOutboundGroups, 1),
            format(summary.meanLargestGroupPercent, 1), format(summary.meanConcentratedPercent, 1),
            String(summary.events), format(wallSeconds, 2),
            summary.disconnectsByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: "; "),
        ]
    }

    public static func markdown(_ rows: [(Summary, Double)]) -> String {
        var lines = [
            "| " + columns.joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: columns.count),
        ]
        for (summary, wall) in rows {
            lines.append("| " + fields(summary, wallSeconds: wall).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func csv(_ rows: [(Summary, Double)]) -> String {
        ([columns.joined(separator: ",")] + rows.map { fields($0.0, wallSeconds: $0.1).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// `value` with `decimals` decimals, without Foundation's formatter.
    static func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = Int(scaled / scale)
        guard decimals > 0 else { return String(Int(scaled)) }
        let fraction = Int(abs(scaled) - abs(Double(whole)) * scale)
        let text = String(fraction)
        return (scaled < 0 && whole == 0 ? "-" : "") + "\(whole)."
            + String(repeating: "0", count: decimals - text.count) + text
    }
}
