import Foundation
import SimulatorCore

// peerd-sim: runs scenario files against the policies, writes one CSV of samples per run and
// the summary table (Markdown on stdout, summary.csv beside the samples).
//
//   peerd-sim [--policies nwaku,peerd,peerd-sharded] [--out DIR] [--peers N] [--hours H] SCENARIO.json...

func usage() -> Never {
    FileHandle.standardError.write(
        Data(
            ("usage: peerd-sim [--policies " + PolicyKind.allCases.map(\.rawValue).joined(separator: ",")
                + "] [--out DIR] [--peers N] [--hours H] [--seed S] SCENARIO.json...\n").utf8))
    exit(2)
}

var policies: [PolicyKind] = PolicyKind.allCases
var outDirectory: String?
var peersOverride: Int?
var hoursOverride: Double?
var seedOverride: UInt64?
var files: [String] = []
var arguments = CommandLine.arguments.dropFirst()
@MainActor func value<T>(_ parse: (String) -> T?) -> T {
    guard let text = arguments.popFirst(), let parsed = parse(text) else { usage() }
    return parsed
}
while let argument = arguments.popFirst() {
    switch argument {
    case "--policies":
        policies = value { list in
            let kinds = list.split(separator: ",").compactMap { PolicyKind(rawValue: String($0)) }
            return kinds.count == list.split(separator: ",").count ? kinds : nil
        }
    case "--out": outDirectory = value { $0 }
    case "--peers": peersOverride = value { Int($0) }
    case "--hours": hoursOverride = value { Double($0) }
    case "--seed": seedOverride = value { UInt64($0) }
    case "-h", "--help": usage()
    default: files.append(argument)
    }
}
if files.isEmpty { usage() }
if let outDirectory {
    try FileManager.default.createDirectory(atPath: outDirectory, withIntermediateDirectories: true)
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
        let result = simulation.run()
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
