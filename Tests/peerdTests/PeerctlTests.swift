import Foundation
import Testing

/// The built `peerctl` binary: what an operator sees when checking a record by hand.
@Suite("peerctl")
struct PeerctlTests {
    struct Run {
        var status: Int32
        var json: [String: Any]
    }

    static func peerctl(_ arguments: [String]) throws -> Run {
        let run = try ChildProcess.run(PeerdProcess.peerctlBinary.path, arguments)
        let json = try #require(
            (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any],
            "peerctl \(arguments.joined(separator: " ")): exit \(run.status), stdout '\(run.stdout)', stderr '\(run.stderr)'"
        )
        return Run(status: run.status, json: json)
    }

    /// The vectors' real records: what `peerctl enr decode` prints for them.
    static func vectorRecords() throws -> [[String: Any]] {
        let url = PeerdProcess.repositoryRoot.appendingPathComponent("Tests/Vectors/enr_vectors.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try #require(root["records"] as? [[String: Any]])
    }

    @Test("enr decode prints the vectors' peer id, seq and dial addresses for every real record")
    func enrDecodeVectors() throws {
        for record in try Self.vectorRecords() {
            let enr = try #require(record["enr"] as? String)
            let decoded = try #require(record["decoded"] as? [String: Any])
            let run = try Self.peerctl(["enr", "decode", enr])
            #expect(run.status == 0)
            #expect(run.json["valid"] as? Bool == true)
            #expect(run.json["peer_id"] as? String == decoded["peer_id"] as? String)
            #expect((run.json["seq"] as? NSNumber)?.uint64Value == (decoded["seq"] as? NSNumber)?.uint64Value)
            #expect(run.json["dial_multiaddrs"] as? [String] == decoded["dial_multiaddrs"] as? [String])
        }
    }

    @Test(
        "Invalid input: valid false, a reason, exit status 1",
        arguments: [
            ["enr", "decode", "enr:garbage"],
            ["enr", "decode", "not-an-enr"],
            ["multiaddr", "parse", "/ip4/1.2.3/tcp/1"],
            ["multiaddr", "parse", "/tcp/notaport"],
        ])
    func invalidInput(arguments: [String]) throws {
        let run = try Self.peerctl(arguments)
        #expect(run.status == 1)
        #expect(run.json["valid"] as? Bool == false)
        #expect((run.json["reason"] as? String)?.isEmpty == false)
    }

    @Test("multiaddr parse splits components and extracts the peer id and IP")
    func multiaddrParse() throws {
        let id = "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ"
        let run = try Self.peerctl(["multiaddr", "parse", "/ip4/1.2.3.4/tcp/60000/p2p/\(id)"])
        #expect(run.status == 0)
        #expect(run.json["peer_id"] as? String == id)
        #expect(run.json["ip_address"] as? String == "1.2.3.4")
        #expect(run.json["without_peer_id"] as? String == "/ip4/1.2.3.4/tcp/60000")
    }
}
