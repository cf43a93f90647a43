import Foundation
import SimulatorCore

// peerd-sim: runs scenario files against the policies, writes one CSV of samples per run and
// the summary table (Markdown on stdout, summary.csv beside the samples).
//
//   peerd-sim [--policies nwaku,peerd,peerd-sharded] [--out DIR] [--peers N] [--hours H]
//             [--record-trace DIR] SCENARIO.json...
//     --record-trace writes each run as a host trace, DIR/<scenario>-<policy>.jsonl
//   peerd-sim replay TRACE.jsonl [--policy nwaku,peerd,...] [--seed S] [--out DIR] [--skip-unknown]
//     replays a host trace recorded by `peerd --record-host-trace` (SIMULATION.md, "Record and replay")

func usage() -> Never {
    FileHandle.standardError.write(
        Data(
            ("usage: peerd-sim [--policies " + PolicyKind.allCases.map(\.rawValue).joined(separator: ",")
                + "] [--out DIR] [--peers N] [--hours H] [--seed S] [--record-trace DIR] SCENARIO.json...\n"
                + "       peerd-sim replay TRACE.jsonl [--policy LIST] [--seed S] [--out DIR] [--skip-unknown]\n").utf8)
    )
    exit(2)
}

var policies: [PolicyKind] = PolicyKind.allCases
var outDirectory: String?
var peersOverride: Int?
var hoursOverride: Double?
var seedOverride: UInt64?
var traceDirectory: String?
var files: [String] = []
var arguments = CommandLine.arguments.dropFirst()
@MainActor func value<T>(_ parse: (String) -> T?) -> T {
    guard let text = arguments.popFirst(), let parsed = parse(text) else { usage() }
    return parsed
}
let replaying = arguments.first == "replay"
if replaying { arguments.removeFirst() }
var skipUnknown = false
while let argument = arguments.popFirst() {
    switch argument {
    case "--skip-unknown" where replaying: skipUnknown = true
    case "--policies", "--policy":
        policies = value { list in
            let kinds = list.split(separator: ",").compactMap { PolicyKind(rawValue: String($0)) }
            return kinds.count == list.split(separator: ",").count ? kinds : nil
        }
    case "--out": outDirectory = value { $0 }
    case "--record-trace" where !replaying: traceDirectory = value { $0 }
    case "--peers": peersOverride = value { Int($0) }
    case "--hours": hoursOverride = value { Double($0) }
    case "--seed": seedOverride = value { UInt64($0) }
    case "-h", "--help": usage()
    default: files.append(argument)
    }
}
if files.isEmpty || (replaying && files.count != 1) { usage() }
for directory in [outDirectory, traceDirectory].compactMap(\.self) {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
}
if replaying {
    let replayed: (network: TraceNetwork, results: [SimulationResult])
    do {
        replayed = try Simulation.replay(
            traceAt: files[0], policies: policies, seed: seedOverride ?? 1, skipUnknownKinds: skipUnknown)
    } catch {
        FileHandle.standardError.write(Data("\(files[0]): \(error)\n".utf8))
        exit(1)
    }
    let rows = replayed.results.map { ($0.summary, 0.0) }
    print(SummaryTable.markdown(rows), terminator: "")
    if let outDirectory {
        for (result, kind) in zip(replayed.results, policies) {
            try result.csv(shards: replayed.network.scenario.ourShards).write(
                toFile: "\(outDirectory)/\(result.summary.scenario)-\(kind.rawValue).csv", atomically: true,
                encoding: .utf8)
        }
        try SummaryTable.csv(rows).write(toFile: "\(outDirectory)/summary.csv", atomically: true, encoding: .utf8)
    }
    exit(0)
}

var rows: [(Summary, Double)] = []
for file in files {
    var scenario: Scenario
    do {
        scenario = try Scenario.load(Data(contentsOf: URL(fileURLWithPath: file)))
        if let peersOverride { scenario.peers = peersOverride }
        if let hoursOverride { scenario.durationSeconds = hoursOverride * 3600 }
        if let seedOverride { scenario.seed = seedOverride }
        try scenario.validate()
    } catch {
        FileHandle.standardError.write(Data("\(file): \(error)\n".utf8))
        exit(1)
    }
    for kind in policies {
        let clock = ContinuousClock()
        let started = clock.now
        var simulation = try Simulation(scenario: scenario, policy: kind)
        if traceDirectory != nil { simulation.recordTrace() }
        let result = simulation.run()
        if let traceDirectory, let trace = try simulation.encodedTrace() {
            try Data(trace).write(to: URL(fileURLWithPath: "\(traceDirectory)/\(scenario.name)-\(kind.rawValue).jsonl"))
        }
        let elapsed = clock.now - started
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        rows.append((result.summary, wall))
        if let outDirectory {
            try result.csv(shards: scenario.ourShards).write(
                toFile: "\(outDirectory)/\(scenario.name)-\(kind.rawValue).csv", atomically: true, encoding: .utf8)
        }
        FileHandle.standardError.write(
            Data("\(scenario.name) \(kind.rawValue): \(wall) s wall\n\(result.census.text)\n".utf8))
    }
}
print(SummaryTable.markdown(rows), terminator: "")
if let outDirectory {
    try SummaryTable.csv(rows).write(toFile: "\(outDirectory)/summary.csv", atomically: true, encoding: .utf8)
}
